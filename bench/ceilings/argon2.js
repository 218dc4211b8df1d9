// The hashing ceiling: @node-rs/argon2 verifying a password with Signoff's sign-in parameters.
import { hash, verify } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../../packages/server/dist/src/accounts/passwords.js';
import { runLoop, secondsArg } from './loop.js';

const stored = await hash('alice-password-for-the-benchmark', ARGON2_OPTIONS);
await runLoop(secondsArg(), async () => {
  if (!(await verify(stored, 'alice-password-for-the-benchmark'))) throw new Error('argon2 verify failed');
});
