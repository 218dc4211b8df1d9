/**
 * The admin API's OpenAPI document (issue 12 §3, §4) as the tests' typed client sees it:
 *
 * - the types the client is checked against (test/generated/admin-api.ts) are exactly what the
 *   live document gives, so a route change that is not regenerated fails `npm test`, and a
 *   regenerated document that no longer fits the tests fails the build;
 * - the document is valid OpenAPI 3.1: Redocly's own lint (@redocly/openapi-core, which
 *   openapi-typescript depends on: no dependency of ours) with its strictest ruleset, plus what
 *   a linter cannot know, checked against the running routes: which of them need a token and
 *   which exist at all.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BaseResolver, createConfig, lintDocument, makeDocumentFromString } from '@redocly/openapi-core';
import { ADMIN_API_TYPES_COMMAND, ADMIN_API_TYPES_FILE, adminApiTypes, documentOf, withAdminApp } from './helpers/admin-api-types.js';

// The parts of an OpenAPI 3.1 document these checks read.
interface Operation {
  security?: Record<string, string[]>[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, { type: string; scheme?: string }>; schemas?: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const operations = (doc: Document): { path: string; method: string; op: Operation }[] =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({ path, method, op: item[method] as Operation })),
  );

/** Every value under `node` with its JSON pointer. */
const walk = function* (node: unknown, pointer = '#'): Generator<[string, unknown]> {
  yield [pointer, node];
  if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) yield* walk(v, `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`);
  }
};

describe('the OpenAPI document drives the typed client of the tests (issue 12 §4)', () => {
  it(`test/generated/admin-api.ts is what openapi-typescript makes of the live GET /admin/v1/openapi.json (issue 12 §4: "a wrong document fails the build")`, async () => {
    const generated = await adminApiTypes(await withAdminApp(documentOf));
    const checkedIn = readFileSync(ADMIN_API_TYPES_FILE, 'utf8');
    assert.ok(
      generated === checkedIn,
      `test/generated/admin-api.ts is stale: the admin API's OpenAPI document changed. Run \`${ADMIN_API_TYPES_COMMAND}\`, then fix the tests it no longer compiles with.`,
    );
  });
});

describe('GET /admin/v1/openapi.json is a valid OpenAPI 3.1 document of the routes (issue 12 §3, OpenAPI 3.1.0)', () => {
  it('passes Redocly\'s recommended-strict lint: the OpenAPI 3.1 structure (struct), every $ref resolves (no-unresolved-refs), every security requirement names a declared scheme (security-defined), no unused component, path parameters declared, a 2XX and a 4XX answer per operation', async () => {
    const doc = await withAdminApp(documentOf);
    // Two rules of recommended-strict are about style, not validity; the document has neither
    // (@fastify/swagger writes no operationId, and the API has no license of its own).
    const config = await createConfig({ extends: ['recommended-strict'], rules: { 'operation-operationId': 'off', 'info-license': 'off' } });
    const problems = await lintDocument({
      document: makeDocumentFromString(JSON.stringify(doc), '/admin/v1/openapi.json'),
      config: config.styleguide,
      externalRefResolver: new BaseResolver(config.resolve),
    });
    assert.deepEqual(
      problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`),
      [],
    );
  });

  it('says openapi 3.1.x, and every operation lists its responses, each with a description (OpenAPI 3.1.0 §4.8.1, §4.8.10, §4.8.17)', async () => {
    const doc = (await withAdminApp(documentOf)) as unknown as Document;
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const ops = operations(doc);
    assert.ok(ops.length > 0);
    for (const { path, method, op } of ops) {
      // OpenAPI 3.1 made `responses` optional (and so Redocly does not ask for it); a client needs them.
      const responses = Object.entries(op.responses ?? {});
      assert.ok(responses.length > 0, `${method.toUpperCase()} ${path} lists no responses`);
      assert.ok(responses.some(([status]) => /^2\d\d$/.test(status)), `${method.toUpperCase()} ${path} has no 2XX response`);
      for (const [status, r] of responses) assert.equal(typeof r.description, 'string', `${method.toUpperCase()} ${path} ${status}`);
    }
  });

  it('declares the bearer scheme (HTTP Bearer, RFC 6750) on exactly the operations that answer 401 without a token (issue 12 §2), and every path is a route', async () => {
    await withAdminApp(async (app) => {
      const doc = (await documentOf(app)) as unknown as Document;
      assert.deepEqual(doc.components.securitySchemes?.bearer, { type: 'http', scheme: 'bearer', description: 'An access token from the client credentials grant.' });
      assert.equal(doc.security, undefined, 'no document-wide requirement: each operation says its own');
      for (const { path, method, op } of operations(doc)) {
        const name = `${method.toUpperCase()} ${path}`;
        const url = `/admin/v1${path.replace(/\{[^}]+\}/g, 'x')}`;
        const res = await app.inject({ method: method.toUpperCase() as 'GET', url });
        // A path the document lists that no route serves answers the not-found problem.
        assert.notEqual(res.statusCode, 404, `${name}: no such route (${res.body})`);
        const secured = op.security !== undefined && op.security.length > 0;
        assert.equal(secured, res.statusCode === 401, `${name}: answers ${res.statusCode} without a token, security ${JSON.stringify(op.security)}`);
        if (secured) {
          assert.deepEqual(op.security, [{ bearer: [] }], name);
          for (const status of ['401', '403']) assert.ok(op.responses?.[status], `${name} declares its ${status} problem`);
        }
      }
    });
  });

  it('leaks no schema the routes do not declare: every $ref names a component, every component is a schema the routes named by its $id (Session, Problem, …) and not an anonymous def-N, no $id left inline, the document itself is not a path (issue 12 §3)', async () => {
    const doc = (await withAdminApp(documentOf)) as unknown as Document;
    const names = Object.keys(doc.components.schemas ?? {});
    assert.ok(names.includes('Session') && names.includes('Problem'), names.join(', '));
    // @fastify/swagger names a shared schema without a $id def-0, def-1, … (src/http/routes/admin/index.ts).
    for (const name of names) assert.match(name, /^[A-Z][A-Za-z]*$/, `component ${name}`);
    assert.equal(doc.paths['/openapi.json'], undefined);
    for (const [pointer, node] of walk(doc)) {
      if (node === null || typeof node !== 'object') continue;
      const { $ref, $id } = node as { $ref?: unknown; $id?: unknown };
      if ($ref !== undefined) {
        const m = /^#\/components\/schemas\/(.+)$/.exec(String($ref));
        assert.ok(m && names.includes(m[1] as string), `${pointer}: $ref ${String($ref)}`);
      }
      assert.equal($id, undefined, `${pointer} carries a $id`);
    }
    const text = JSON.stringify(doc);
    assert.doesNotMatch(text, /def-\d/, 'a schema without a name was pulled into the document');
  });
});
