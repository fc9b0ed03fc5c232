import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import type { OpenAPIV3_1 } from 'openapi-types';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import {
  startGateway,
  TEST_ADMIN_TOKEN,
  type GatewayUnderTest,
} from '../test-support/gateway-under-test.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { OPENAPI_FILE } from './openapi-file.js';

type Schema = OpenAPIV3_1.SchemaObject;
const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;
const READ = 'read_key_for_docs_tests_0001';

const document = buildOpenApiDocument();
const addFormats = formatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));

/** The schema itself, or the component a `$ref` points at. */
function resolved(schema: Schema | OpenAPIV3_1.ReferenceObject): Schema {
  if (!('$ref' in schema)) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components?.schemas?.[name];
  assert.ok(target, `unresolved ${schema.$ref}`);
  return target;
}

function operations(): Array<{ method: string; path: string; op: OpenAPIV3_1.OperationObject }> {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item?.[m]).map((method) => ({ method, path, op: item![method]! })),
  );
}

interface Example {
  where: string;
  schema: Schema;
  value: unknown;
}

function mediaExamples(where: string, content: OpenAPIV3_1.ResponseObject['content']): Example[] {
  return Object.entries(content ?? {}).flatMap(([type, media]) => {
    const schema = resolved(media.schema ?? {});
    const named = Object.entries(media.examples ?? {}).map(([name, ex]) => ({
      where: `${where} ${type} example ${name}`,
      schema,
      value: (ex as OpenAPIV3_1.ExampleObject).value as unknown,
    }));
    const single =
      'example' in media
        ? [{ where: `${where} ${type}`, schema, value: media.example as unknown }]
        : [];
    assert.ok(named.length + single.length > 0, `${where} ${type} has no example`);
    return [...named, ...single];
  });
}

function allExamples(): Example[] {
  return operations().flatMap(({ method, path, op }) => {
    const where = `${method.toUpperCase()} ${path}`;
    const body = op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
    return [
      ...mediaExamples(`${where} request`, body?.content),
      ...Object.entries(op.responses ?? {}).flatMap(([status, response]) =>
        mediaExamples(`${where} ${status}`, (response as OpenAPIV3_1.ResponseObject).content),
      ),
    ];
  });
}

/** The JSON schema the document gives for one answer. */
function documentedSchema(method: string, path: string, status: number): Schema {
  const op = document.paths?.[path]?.[method as 'get'];
  const response = op?.responses?.[String(status)] as OpenAPIV3_1.ResponseObject | undefined;
  const schema = response?.content?.['application/json']?.schema;
  assert.ok(schema, `${method} ${path} documents no JSON ${status}`);
  return resolved(schema);
}

const openApiPath = (fastifyUrl: string) => fastifyUrl.replace(/:(\w+)/g, '{$1}');

describe('OpenAPI document at /docs', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayUnderTest;

  before(async () => {
    nats = await startNatsServer();
    gateway = await startGateway(nats.url, {
      TALLY_API_KEYS: JSON.stringify([{ key: READ, projectId: 'p1', kind: 'read' }]),
    });
  });

  after(async () => {
    await gateway?.close();
    await nats?.stop();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(document.openapi, '3.1.0');
    const result = await validate(structuredClone(document) as never);
    assert.ok(result.valid, result.valid ? '' : JSON.stringify(result.errors, null, 2));
  });

  it('documents every /v1 route the running gateway registers, with its method', () => {
    const registered = gateway.routes
      .filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => `${r.method} ${openApiPath(r.url).replace(/\/$/, '')}`);
    assert.ok(registered.length >= 15, `too few routes seen: ${registered.join(', ')}`);
    const documented = new Set(operations().map((o) => `${o.method.toUpperCase()} ${o.path}`));
    const missing = registered.filter((r) => !documented.has(r));
    assert.deepEqual(missing, [], 'routes without documentation');
    const served = new Set(gateway.routes.map((r) => `${r.method} ${openApiPath(r.url)}`));
    const stale = [...documented].filter((d) => !served.has(d) && !served.has(`${d}/`));
    assert.deepEqual(stale, [], 'documented routes the gateway does not serve');
  });

  it('declares who may call each operation and what goes wrong, with Retry-After on 429/503', () => {
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      if (path.startsWith('/v1/')) {
        const schemes = Object.keys(op.security?.[0] ?? {});
        assert.equal(schemes.length, 1, `${where} security`);
        assert.ok(op.responses?.['401'], `${where} has no 401`);
        // A wrong key counts toward the failed-authentication limit on every keyed route.
        const limited = op.responses?.['429'] as OpenAPIV3_1.ResponseObject | undefined;
        const codes = Object.keys(limited?.content?.['application/json']?.examples ?? {});
        assert.ok(codes.includes('too_many_auth_failures'), `${where} 429: ${codes.join(', ')}`);
      }
      for (const status of ['429', '503']) {
        const response = op.responses?.[status] as OpenAPIV3_1.ResponseObject | undefined;
        if (response && path.startsWith('/v1/')) {
          assert.ok(response.headers?.['Retry-After'], `${where} ${status} Retry-After`);
        }
      }
    }
    const events = document.paths?.['/v1/events']?.post?.responses ?? {};
    assert.deepEqual(Object.keys(events).sort(), [
      '202',
      '400',
      '401',
      '403',
      '408',
      '413',
      '414',
      '415',
      '429',
      '431',
      '503',
    ]);
  });

  it('has examples that validate against their schemas', () => {
    const examples = allExamples();
    assert.ok(examples.length > 60, `only ${examples.length} examples`);
    const failures = examples.flatMap(({ where, schema, value }) => {
      const check = ajv.compile(schema);
      return check(value) ? [] : [`${where}: ${ajv.errorsText(check.errors)}`];
    });
    assert.deepEqual(failures, []);
  });

  it('describes what the gateway really answers', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const adminJson = { ...admin, 'content-type': 'application/json' };
    const call = async (
      method: string,
      path: string,
      init: RequestInit,
      docPath = path.split('?')[0]!,
    ): Promise<Record<string, string>> => {
      const res = await fetch(`${gateway.base}${path}`, { method, ...init });
      const check = ajv.compile(documentedSchema(method.toLowerCase(), docPath, res.status));
      const body: unknown = await res.json();
      assert.ok(check(body), `${method} ${path} ${res.status}: ${ajv.errorsText(check.errors)}`);
      return { ...(body as Record<string, string>), status: String(res.status) };
    };
    const project = await call('POST', '/v1/admin/projects', {
      headers: adminJson,
      body: '{"name":"Docs"}',
    });
    const keys = `/v1/admin/projects/${project.id}/keys`;
    const keysDoc = '/v1/admin/projects/{projectId}/keys';
    const key = await call('POST', keys, { headers: adminJson, body: '{"kind":"read"}' }, keysDoc);
    await call('GET', keys, { headers: admin }, keysDoc);
    await call('DELETE', `${keys}/${key.keyId}`, { headers: admin }, `${keysDoc}/{keyId}`);
    await call('GET', '/v1/admin/projects', { headers: admin });
    await call('GET', '/v1/rejected', { headers: { authorization: `Bearer ${READ}` } });
    await call('GET', '/v1/rejected?limit=0', { headers: { authorization: `Bearer ${READ}` } });
    await call('GET', '/v1/metrics', { headers: { authorization: 'Bearer nope' } });
    await call('POST', '/v1/events', {
      headers: { authorization: `Bearer ${READ}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await call('GET', '/readyz', {});
    // Only JSON bodies: a form body is 415 on every /v1 route, not parsed into fields.
    const form = { ...admin, 'content-type': 'application/x-www-form-urlencoded' };
    const refused = await call('POST', '/v1/admin/projects', { headers: form, body: 'name=Form' });
    assert.equal(refused.status, '415');
  });

  it('serves the HTML reference at /docs and the document at /docs/openapi.json', async () => {
    const html = await fetch(`${gateway.base}/docs`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    const page = await html.text();
    assert.match(page, /swagger-ui/);
    assert.doesNotMatch(page, /https?:\/\/(?!127\.0\.0\.1)[^"']*\.(js|css)/, 'no CDN assets');
    const json = await fetch(`${gateway.base}/docs/openapi.json`);
    assert.equal(json.status, 200);
    assert.deepEqual(await json.json(), JSON.parse(JSON.stringify(document)));
  });

  it('matches the committed packages/contracts/schema/openapi.json (run `pnpm --filter @tally/gateway openapi:export`)', () => {
    const committed: unknown = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(document)));
  });
});
