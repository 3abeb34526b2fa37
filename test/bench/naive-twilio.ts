// What a handler that wrote `import twilio from 'twilio'` would carry and load; injected by bundles.ts.
import twilio from 'twilio';

(globalThis as { __twilio?: unknown }).__twilio = twilio;
