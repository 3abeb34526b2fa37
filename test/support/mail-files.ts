/** A file of a test mail (`sesReceived`'s `files`). */
export interface MailFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
  inline?: boolean;
}

/** The Content-Type line and body of a `multipart/mixed` mail: its text, then each file, Base64. */
export function multipartBody(text: string, files: MailFile[]): string[] {
  const boundary = 'threadline-test-boundary';
  const parts = files.map((file, i) => [
    `--${boundary}`,
    `Content-Type: ${file.contentType}; name="${file.filename}"`,
    `Content-Disposition: ${file.inline ? 'inline' : 'attachment'}; filename="${file.filename}"`,
    ...(file.inline ? [`Content-ID: <file-${i}@mail.example>`] : []),
    'Content-Transfer-Encoding: base64',
    '',
    ...(file.bytes.toString('base64').match(/.{1,76}/g) ?? []),
  ]);
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    '',
    text,
    ...parts.flat(),
    `--${boundary}--`,
  ];
}
