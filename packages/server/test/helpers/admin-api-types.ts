/**
 * TypeScript types generated from the admin API's OpenAPI document (issue 12 §4: "the OpenAPI
 * document drives a typed client … in the tests, so a wrong document fails the build").
 *
 * `adminApiDocument()` builds the provider in this process and asks it for
 * GET /admin/v1/openapi.json (no listener: `app.inject`); `adminApiTypes(document)` turns the
 * document into TypeScript with openapi-typescript's programmatic API, which bundles it with
 * Redocly first. Run as a program (`npm run admin-api-types -w signoff`), it writes
 * test/generated/admin-api.ts, the file the typed client in the tests is checked against;
 * test/admin-openapi.test.ts fails when that file differs from what the live document gives.
 *
 * It imports nothing of test/generated/ and no test, so it compiles (tsconfig.admin-api-types.json)
 * and runs even while the checked-in types are stale and the tests do not compile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import openapiTS, { type OpenAPI3, astToString } from 'openapi-typescript';
import { parseConfig } from '../../src/config/schema.js';
import { buildApp } from '../../src/http/app.js';
import { openProvider } from '../../src/provider.js';
import { TEST_KEK_ENV, USERS, defaultClients } from './provider.js';

/** The checked-in types: packages/server/test/generated/admin-api.ts (from dist/test/helpers/). */
export const ADMIN_API_TYPES_FILE = fileURLToPath(new URL('../../../test/generated/admin-api.ts', import.meta.url));

/** The command that regenerates ADMIN_API_TYPES_FILE, from the repository's root. */
export const ADMIN_API_TYPES_COMMAND = 'npm run admin-api-types -w signoff';

/** The issuer the document is generated for: it only shows in `servers`, which the types leave out. */
const ISSUER = 'https://signoff.example';

/** Runs `use` with the provider's HTTP app, built in this process (no listener) on a throw-away SQLite store. */
export const withAdminApp = async <T>(use: (app: FastifyInstance) => Promise<T>): Promise<T> => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-openapi-'));
  try {
    const config = parseConfig({
      issuer: ISSUER,
      store: { sqlite: join(dir, 'signoff.sqlite') },
      logging: { level: 'silent' },
      clients: defaultClients(),
      users: Object.values(USERS),
    });
    const provider = await openProvider(config, { env: TEST_KEK_ENV });
    try {
      const app = buildApp(provider);
      try {
        return await use(app);
      } finally {
        await app.close();
      }
    } finally {
      await provider.store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** GET /admin/v1/openapi.json of `app`. */
export const documentOf = async (app: FastifyInstance): Promise<Record<string, unknown>> => {
  const res = await app.inject({ method: 'GET', url: '/admin/v1/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /admin/v1/openapi.json answered ${res.statusCode}: ${res.body}`);
  return res.json() as Record<string, unknown>;
};

/** The admin API's OpenAPI document, from a provider built in this process. */
export const adminApiDocument = (): Promise<Record<string, unknown>> => withAdminApp(documentOf);

const HEADER = `/**
 * GENERATED FILE, do not edit: the types of the admin API (ISSUER/admin/v1) from its OpenAPI
 * document, GET /admin/v1/openapi.json, by openapi-typescript (test/helpers/admin-api-types.ts).
 * Regenerate with \`${ADMIN_API_TYPES_COMMAND}\`; test/admin-openapi.test.ts fails when it is stale.
 */

`;

/**
 * The TypeScript of `document`. openapi-typescript bundles it with Redocly and throws on an error
 * such as an unresolved $ref; the full lint of the document is test/admin-openapi.test.ts's.
 */
export const adminApiTypes = async (document: Record<string, unknown>): Promise<string> =>
  HEADER + astToString(await openapiTS(document as unknown as OpenAPI3, { silent: true }));

/** `node dist/test/helpers/admin-api-types.js`: writes ADMIN_API_TYPES_FILE. */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = await adminApiTypes(await adminApiDocument());
  writeFileSync(ADMIN_API_TYPES_FILE, source);
  console.log(`wrote ${ADMIN_API_TYPES_FILE}`);
}
