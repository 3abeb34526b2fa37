/** Posts one signed Twilio request to the runtime (`path` under its URL), taken and handled. */
export type TwilioPost = (path: string, params: Record<string, string>) => Promise<unknown>;

/**
 * A caller through Twilio's voice webhooks (`/webhooks/twilio/voice...`): one inbound call from `from`
 * to our number, keyed on its CallSid (`sid`), with its ringing, its end (status callback), its
 * recording and its transcription, each posted by `post` in the order the test says.
 */
export function twilioCall(post: TwilioPost, account: string, from: string, sid: string) {
  const params = { CallSid: sid, AccountSid: account, From: from, To: '+15005550006', Direction: 'inbound' };
  const recording = `RE${sid.slice(2)}`;
  const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/${recording}`;
  const caller = new URLSearchParams({ From: from, To: params.To });
  const recorded = { AccountSid: account, CallSid: sid, RecordingSid: recording, RecordingUrl: recordingUrl };
  return {
    ring: () => post('/webhooks/twilio/voice', { ...params, CallStatus: 'ringing' }),
    end: (status: string, seconds: number) =>
      post('/webhooks/twilio/voice/status', { ...params, CallStatus: status, CallDuration: String(seconds) }),
    voicemail: (seconds: number) =>
      post(`/webhooks/twilio/voice/recording?${caller}`, {
        ...recorded,
        RecordingStatus: 'completed',
        RecordingDuration: String(seconds),
      }),
    transcription: (text: string) =>
      post(`/webhooks/twilio/voice/transcription?${caller}`, {
        ...recorded,
        TranscriptionSid: `TR${sid.slice(2)}`,
        TranscriptionStatus: 'completed',
        TranscriptionText: text,
      }),
  };
}
