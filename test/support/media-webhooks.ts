import type { LocalRuntime } from '#shared/local/runtime.js';
import { SECRETS } from './runtime.js';
import { deliver, signedMeta, signedTwilio, whatsappText } from './webhooks.js';

/** A customer's WhatsApp Cloud API photo, named by its media id as Meta sends it; checks it was taken. */
export async function postWhatsAppPhoto(
  runtime: LocalRuntime,
  photo: { from: string; name?: string; messageId: string; mediaId: string; mimeType: string },
): Promise<void> {
  const image = { id: photo.mediaId, mime_type: photo.mimeType, sha256: 'x' };
  const body = whatsappText({
    from: photo.from,
    ...(photo.name ? { name: photo.name } : {}),
    messages: [
      {
        id: photo.messageId,
        at: new Date().toISOString(),
        text: '',
        extra: { type: 'image', text: undefined, image },
      },
    ],
  });
  const answer = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
  if (answer.status !== 200) throw new Error(`WhatsApp webhook answered ${answer.status}: ${answer.body}`);
}

/** A call that rings and leaves a 14 s voicemail at `recordingUrl`, as Twilio's voice webhooks tell it. */
export async function postVoicemail(
  runtime: LocalRuntime,
  call: { accountSid: string; callSid: string; caller: string; recordingSid: string; recordingUrl: string },
): Promise<void> {
  const twilio = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${runtime.url}${path}`, params, SECRETS.twilio));
    if (answer.status >= 300) throw new Error(`${path} answered ${answer.status}: ${answer.body}`);
  };
  const common = {
    CallSid: call.callSid,
    AccountSid: call.accountSid,
    From: call.caller,
    To: '+15005550006',
  };
  await twilio('/webhooks/twilio/voice', { ...common, Direction: 'inbound', CallStatus: 'ringing' });
  await twilio(
    `/webhooks/twilio/voice/recording?${new URLSearchParams({ From: call.caller, To: common.To })}`,
    {
      AccountSid: call.accountSid,
      CallSid: call.callSid,
      RecordingSid: call.recordingSid,
      RecordingUrl: call.recordingUrl,
      RecordingStatus: 'completed',
      RecordingDuration: '14',
    },
  );
}
