// Random and hostile notifications (bodies, headers and their forms) to parseNotification. The
// properties checked, the seed and the inputs: fuzz-inputs.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';
import {
  SEED, ROUNDS, rand, int, pick, options, resource, notification, setReentry, value, mutateString,
  ourError, alive,
} from './fuzz-inputs.mjs';

const { Client } = pkg;

test(`fuzz: parseNotification (seed ${SEED})`, async () => {
  const c = new Client(options());
  setReentry(c);
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const resourceChanged = rand() < 0.2;
      const n = notification(resourceChanged ? mutateString(resource) : resource);
      let { body, headers } = n;
      const r = rand();
      if (r < 0.4) body = mutateString(body);
      else if (r < 0.5) body = value();
      if (rand() < 0.4) {
        const k = pick(Object.keys(headers));
        headers = { ...headers, [rand() < 0.8 ? k : k.toUpperCase()]: rand() < 0.5 ? mutateString(headers[k]) : value(1) };
      }
      const plainHeaders = rand() >= 0.1;
      if (!plainHeaders) headers = value();
      let input = { headers, body };
      const form = int(6);
      if (typeof body === 'string') {
        if (form === 1) input.body = new TextEncoder().encode(body);
        if (form === 2) input.body = new TextEncoder().encode(body).buffer;
        if (form === 3) { const bytes = Buffer.from(`xx${body}yy`); input.body = new DataView(bytes.buffer, bytes.byteOffset + 2, bytes.length - 4); }
        if (form === 4 && plainHeaders) input.headers = new Headers(Object.entries(headers ?? {}).filter(([, v]) => typeof v === 'string' && /^[\x20-\x7e]*$/.test(v)));
      }
      if (rand() < 0.05) input = value();
      let event;
      try {
        event = await c.parseNotification(input);
      } catch (e) {
        ourError(e, `parseNotification #${i}`);
        continue;
      }
      // It passed: then what was signed was not changed (any change fails the signature),
      // and the resource is what was sealed.
      if (resourceChanged) assert.equal(typeof event.resource, 'object', `#${i}`);
      else assert.equal(event.resource.contract_state, 'SIGNED', `#${i}`);
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    setReentry(null);
  }
  await alive(c);
});
