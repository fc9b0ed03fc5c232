import { ApiErrorBody } from '@tally/contracts';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { API_OPERATIONS, type Auth, type DocumentedOperation } from './api-operations.js';
import { EDGE_ERRORS, ERROR_STATUSES, errorExample, type ErrorStatus } from './error-codes.js';

type JsonSchema = OpenAPIV3_1.SchemaObject;

/** JSON Schema 2020-12 of a contract, as OpenAPI 3.1 embeds it (without `$schema`). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest as JsonSchema;
}

const SECURITY_SCHEMES: Record<Exclude<Auth, 'none'>, OpenAPIV3_1.HttpSecurityScheme> = {
  writeKey: {
    type: 'http',
    scheme: 'bearer',
    description: "A project's write key (`tw_…`): sends events, and nothing else.",
  },
  readKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      "A project's read key (`tr_…`): reads metrics, rejected events, live deltas, alert rules " +
      '(webhook URLs masked).',
  },
  manageKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      "A project's manage key (`tm_…`): creates, changes, deletes and reads alert rules.",
  },
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: "The gateway's `ADMIN_TOKEN`: manages projects and their keys.",
  },
};

const RETRY_AFTER: OpenAPIV3_1.HeaderObject = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', minimum: 1 },
};

function parameters(op: DocumentedOperation): OpenAPIV3_1.ParameterObject[] {
  const inPath = Object.entries(op.pathParams ?? {}).map(([name, description]) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string' as const },
  }));
  if (!op.query) return inPath;
  const query = jsonSchemaOf(op.query, 'input');
  const inQuery = Object.entries(query.properties ?? {}).map(([name, property]) => {
    const { description, ...schema } = property as JsonSchema;
    const parameter: OpenAPIV3_1.ParameterObject = {
      name,
      in: 'query',
      required: query.required?.includes(name) ?? false,
      schema: schema as OpenAPIV3_1.ParameterObject['schema'],
    };
    if (description !== undefined) parameter.description = description;
    return parameter;
  });
  return [...inPath, ...inQuery];
}

function errorResponse(status: ErrorStatus, codes: string[]): OpenAPIV3_1.ResponseObject {
  const withRetry = status === 429 || status === 503;
  return {
    description: `${ERROR_STATUSES[status]}: ${codes.map((c) => `\`${c}\``).join(', ')}`,
    ...(withRetry ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ApiErrorBody' },
        examples: Object.fromEntries(codes.map((code) => [code, { value: errorExample(code) }])),
      },
    },
  };
}

function responses(op: DocumentedOperation): OpenAPIV3_1.ResponsesObject {
  const out: OpenAPIV3_1.ResponsesObject = {};
  for (const [status, response] of Object.entries(op.responses)) {
    out[status] = {
      description: response.description,
      ...(response.content
        ? {
            content: {
              [response.content.type ?? 'application/json']: {
                schema: response.content.schema
                  ? jsonSchemaOf(response.content.schema, 'output')
                  : { type: 'string' },
                example: response.content.example,
              },
            },
          }
        : {}),
    };
  }
  for (const [status, codes] of Object.entries(errorsOf(op))) {
    out[status] = errorResponse(Number(status) as ErrorStatus, codes);
  }
  return out;
}

/** The operation's own errors, and for `/v1` routes those any request can get at the edge. */
function errorsOf(op: DocumentedOperation): Partial<Record<ErrorStatus, string[]>> {
  if (!op.path.startsWith('/v1/')) return op.errors;
  const errors = { ...op.errors };
  for (const [status, codes] of Object.entries(EDGE_ERRORS)) {
    const key = Number(status) as ErrorStatus;
    errors[key] = [...(errors[key] ?? []), ...codes];
  }
  return errors;
}

function operation(op: DocumentedOperation): OpenAPIV3_1.OperationObject {
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: op.description,
    security: [op.auth]
      .flat()
      .filter((auth) => auth !== 'none')
      .map((auth) => ({ [auth]: [] })),
    parameters: parameters(op),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: jsonSchemaOf(op.body.schema, 'input'),
                examples: op.body.examples,
              },
            },
          },
        }
      : {}),
    responses: responses(op),
  };
}

/** The gateway's OpenAPI 3.1 document, built from the contracts the gateway validates with. */
export function buildOpenApiDocument(
  operations: DocumentedOperation[] = API_OPERATIONS,
): OpenAPIV3_1.Document {
  const paths: OpenAPIV3_1.PathsObject = {};
  for (const op of operations) {
    paths[op.path] = { ...paths[op.path], [op.method]: operation(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tally gateway API',
      version: '1',
      description:
        'Send product-analytics events, query their rollups, stream them live, and manage alert ' +
        'rules, projects and keys. Every error has the body `{"error":{"code","message"}}`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: "Try it out" and generated clients talk to the gateway that served the document.
    servers: [{ url: '/', description: 'this gateway' }],
    tags: [
      { name: 'events', description: 'Send events.' },
      { name: 'metrics', description: 'Query rollups and read rejected events.' },
      { name: 'live', description: 'Rollup deltas as Server-Sent Events.' },
      { name: 'alerts', description: 'Alert rules and their webhook deliveries.' },
      { name: 'admin', description: 'Projects and keys (admin token).' },
      { name: 'operations', description: 'Health and Prometheus metrics.' },
    ],
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: { ApiErrorBody: jsonSchemaOf(ApiErrorBody, 'output') },
    },
  };
}
