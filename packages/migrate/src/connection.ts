import pg from 'pg';

export interface DatabaseTarget {
  /** The URL without Prisma's `schema` parameter, which pg does not understand. */
  connectionString: string;
  schema: string | undefined;
}

/** Validates a Prisma-style Postgres URL. Errors never echo the URL: it may hold a password. */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('Database URL is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(
      `Database URL must start with postgres:// or postgresql://, got ${url.protocol}//`,
    );
  }
  const schema = url.searchParams.get('schema') || undefined;
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

export interface Session {
  client: pg.Client;
  /** The schema that holds `_prisma_migrations`, as Prisma picks it: the first on the search_path. */
  schema: string;
}

export async function openSession(databaseUrl: string): Promise<Session> {
  const target = parseDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString: target.connectionString });
  // Without a listener a dropped idle connection would crash the process; queries still reject.
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (target.schema) await useSchema(client, target.schema);
    return { client, schema: await currentSchema(client) };
  } catch (err) {
    await client.end();
    throw err;
  }
}

async function useSchema(client: pg.Client, schema: string): Promise<void> {
  const ident = pg.escapeIdentifier(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
  await client.query(`SET search_path TO ${ident}`);
}

async function currentSchema(client: pg.Client): Promise<string> {
  const result = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = result.rows[0]?.schema;
  if (!schema) {
    throw new Error('No schema on the search_path exists; add ?schema=<name> to the URL');
  }
  return schema;
}
