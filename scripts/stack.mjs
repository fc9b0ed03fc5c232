#!/usr/bin/env node
// Runs the whole Tally stack on one machine: `node scripts/stack.mjs [up|down|status] [flags]`.
// Node built-ins only, so it works before `pnpm install`. See README.md "Quick start" and
// docs/configuration.md for the variables it reads.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import {
  LOG_DIR,
  PIDS_FILE,
  TALLY_HOME,
  appSpecs,
  exampleKeys,
  stackConfig,
} from './lib/config.mjs';
import { ensureNatsServer } from './lib/nats.mjs';
import { runOnSupportedNode } from './lib/node-runtime.mjs';
import {
  ensureDatabase,
  ensureHll,
  ensurePostgres,
  migrate,
  stopPrivateCluster,
  withDatabase,
} from './lib/postgres.mjs';
import {
  ROOT,
  SetupError,
  bold,
  log,
  pidAlive,
  pidCommandLine,
  portFree,
  redactUrl,
  sleep,
  stopProcess,
  tailFile,
} from './lib/proc.mjs';
import { buildWorkspace, ensurePnpm, pnpmInstall } from './lib/toolchain.mjs';

const USAGE = `Usage: node scripts/stack.mjs [up|down|status] [options]

  up (default)   fetch Node 24 if the running node is older, install, build, start NATS +
                 Postgres if needed, migrate, start the four apps
  down           stop what a previous \`up --detach\` (or a killed \`up\`) left running
  status         show the recorded processes and their /readyz

Options for up:
  --detach            leave everything running in the background (pids in .tally/pids)
  --no-install        skip \`pnpm install --frozen-lockfile\` (also TALLY_SKIP_INSTALL=1)
  --no-build          skip \`pnpm turbo run build\` (also TALLY_SKIP_BUILD=1)
  --apps=a,b          start only these apps (gateway, ingest, aggregator, notifier)

Environment: see docs/configuration.md (ports, NATS_URL, TALLY_PG_URL, dev keys, ...).`;

const rel = (file) => path.relative(process.cwd(), file) || '.';

/**
 * Flags for node itself that every app of this one-machine stack runs with (shared with the
 * benchmark; why: docs/deployment.md, "Node runtime flags").
 */
function oneBoxNodeFlags() {
  return JSON.parse(readFileSync(path.join(ROOT, 'infra', 'node', 'one-box-flags.json'), 'utf8'));
}

function parseArgs(argv) {
  const opts = {
    command: 'up',
    detach: false,
    install: process.env.TALLY_SKIP_INSTALL !== '1',
    build: process.env.TALLY_SKIP_BUILD !== '1',
    apps: undefined,
  };
  for (const arg of argv) {
    if (['up', 'down', 'status', 'help'].includes(arg)) opts.command = arg;
    else if (arg === '--help' || arg === '-h') opts.command = 'help';
    else if (arg === '--detach' || arg === '-d') opts.detach = true;
    else if (arg === '--no-install') opts.install = false;
    else if (arg === '--no-build') opts.build = false;
    else if (arg.startsWith('--apps=')) {
      opts.apps = arg
        .slice(7)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else throw new SetupError(`unknown argument "${arg}"\n\n${USAGE}`);
  }
  return opts;
}

// ---------------------------------------------------------------- state (.tally/pids)

function readState() {
  if (!existsSync(PIDS_FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(PIDS_FILE, 'utf8'));
  } catch {
    log.warn(`${rel(PIDS_FILE)} is unreadable; ignoring it`);
    return undefined;
  }
}

function writeState(state) {
  mkdirSync(TALLY_HOME, { recursive: true });
  writeFileSync(PIDS_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

/** A recorded app pid counts only while it still runs that app's main.js (pids get reused). */
function appRunning(app) {
  return (
    pidAlive(app.pid) && (pidCommandLine(app.pid) ?? '').includes(`apps/${app.name}/dist/main.js`)
  );
}

function serverRunning(server) {
  if (server.kind === 'pg_ctl') return existsSync(path.join(server.dataDir, 'postmaster.pid'));
  return pidAlive(server.pid) && (pidCommandLine(server.pid) ?? '').includes('nats-server');
}

async function stopAll(state, { quiet = false } = {}) {
  // Apps stop in parallel (each drains its own work); the servers they use stop after them.
  await Promise.all(
    (state.apps ?? []).filter(appRunning).map(async (app) => {
      const how = await stopProcess(app.pid);
      if (!quiet) log.info(`${app.name.padEnd(10)} ${how} (pid ${app.pid})`);
    }),
  );
  for (const server of [...(state.servers ?? [])].reverse()) {
    if (!serverRunning(server)) continue;
    if (server.kind === 'pg_ctl') {
      await stopPrivateCluster(server);
      if (!quiet) log.info(`postgres   stopped (${server.dataDir})`);
    } else {
      const how = await stopProcess(server.pid, { graceMs: 10_000 });
      if (!quiet) log.info(`${server.name.padEnd(10)} ${how} (pid ${server.pid})`);
    }
  }
}

async function down() {
  const state = readState();
  if (!state) {
    log.info(`nothing recorded in ${rel(PIDS_FILE)}; nothing to stop`);
    return 0;
  }
  log.step('Stopping the Tally stack');
  await stopAll(state);
  rmSync(PIDS_FILE, { force: true });
  log.ok('stopped');
  return 0;
}

async function status() {
  const state = readState();
  if (!state) {
    log.info('no stack recorded (.tally/pids is absent)');
    return 1;
  }
  let healthy = true;
  for (const app of state.apps ?? []) {
    const running = appRunning(app);
    const ready = running && (await readyz(app.port));
    healthy &&= ready;
    log.info(
      `${app.name.padEnd(10)} pid ${String(app.pid).padEnd(8)} ${running ? (ready ? 'ready' : 'NOT READY') : 'NOT RUNNING'}  http://127.0.0.1:${app.port}`,
    );
  }
  for (const server of state.servers ?? []) {
    log.info(
      `${server.name.padEnd(10)} ${serverRunning(server) ? 'running' : 'NOT RUNNING'} (started by stack.mjs)`,
    );
  }
  return healthy ? 0 : 1;
}

// ---------------------------------------------------------------- apps

async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

const readyz = (port) => httpOk(`http://127.0.0.1:${port}/readyz`);

/** Starts one app in its own process group with its log in .tally/logs/<app>.log. */
async function startApp(spec) {
  const main = path.join(ROOT, 'apps', spec.name, 'dist', 'main.js');
  const logFile = path.join(LOG_DIR, `${spec.name}.log`);
  if (!existsSync(main)) {
    return {
      ...spec,
      logFile,
      failure: `apps/${spec.name}/dist/main.js is missing (the app is not built; see the build output above)`,
    };
  }
  if (!(await portFree(spec.port))) {
    const varName = `TALLY_${spec.name.toUpperCase()}_PORT`;
    return {
      ...spec,
      logFile,
      failure: `port ${spec.port} is already in use (choose another with ${varName})`,
    };
  }
  const args = [...oneBoxNodeFlags(), path.relative(ROOT, main)];
  const fd = openSync(logFile, 'a');
  writeSync(
    fd,
    `\n=== ${new Date().toISOString()} node ${args.join(' ')} (HTTP_PORT=${spec.port}) ===\n`,
  );
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const app = { ...spec, logFile, child, pid: child.pid, exited: undefined };
  child.once('exit', (code, signal) => {
    app.exited = signal ?? `exit code ${code}`;
  });
  return app;
}

async function waitReady(app, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.exited) return `exited during start (${app.exited})`;
    if (await readyz(app.port)) return undefined;
    await sleep(250);
  }
  return `GET /readyz did not return 200 within ${Math.round(timeoutMs / 1000)} s`;
}

function printBanner(cfg, ready, servers, docs) {
  const keys = exampleKeys(cfg);
  const gateway = ready.find((a) => a.name === 'gateway');
  const base = `http://127.0.0.1:${cfg.ports.gateway}`;
  console.log('');
  console.log(bold('Tally is running'));
  for (const app of ready) {
    console.log(`  ${app.name.padEnd(11)} http://127.0.0.1:${app.port}   log: ${rel(app.logFile)}`);
  }
  console.log(
    `  ${'NATS'.padEnd(11)} ${cfg.natsUrl}${servers.nats ? '   (started by this script)' : ''}`,
  );
  console.log(
    `  ${'Postgres'.padEnd(11)} ${redactUrl(cfg.aggregatorDatabaseUrl)}, ${redactUrl(cfg.notifierDatabaseUrl)}${servers.postgres ? '   (started by this script)' : ''}`,
  );
  console.log('');
  console.log(bold('Dev credentials'));
  if (keys.write) {
    console.log(`  write key    ${keys.write.key}   (project ${keys.write.projectId})`);
  }
  if (keys.read) console.log(`  read key     ${keys.read.key}   (project ${keys.read.projectId})`);
  if (keys.manage) {
    console.log(`  manage key   ${keys.manage.key}   (project ${keys.manage.projectId})`);
  }
  console.log(`  admin token  ${cfg.adminToken}`);
  if (!gateway) return;
  console.log('');
  console.log(bold(`Gateway: ${base}`) + (docs ? `   (API docs: ${base}/docs)` : ''));
  if (keys.write) {
    console.log('Send an event:');
    console.log(
      `  curl -sS -X POST ${base}/v1/events -H 'Authorization: Bearer ${keys.write.key}' -H 'Content-Type: application/json' -d '{"events":[{"type":"click","userId":"u1","properties":{"element":"buy"}}]}'`,
    );
  }
  if (keys.read) {
    console.log('Read the last hour per minute:');
    console.log(
      `  curl -sS -G ${base}/v1/metrics -H 'Authorization: Bearer ${keys.read.key}' -d type=click -d granularity=minute --data-urlencode "from=$(date -u -d '-1 hour' +%FT%TZ)" --data-urlencode "to=$(date -u -d '+1 minute' +%FT%TZ)"`,
    );
  }
}

// ---------------------------------------------------------------- up

async function up(opts) {
  const cfg = stackConfig();
  const previous = readState();
  if (
    previous &&
    [...(previous.apps ?? []).filter(appRunning), ...(previous.servers ?? []).filter(serverRunning)]
      .length > 0
  ) {
    throw new SetupError(
      `a stack started earlier is still running (see ${rel(PIDS_FILE)}); stop it with: node scripts/stack.mjs down`,
    );
  }
  const specs = appSpecs(cfg).filter((s) => !opts.apps || opts.apps.includes(s.name));
  if (opts.apps && specs.length !== opts.apps.length) {
    throw new SetupError(`--apps takes names from: gateway, ingest, aggregator, notifier`);
  }
  mkdirSync(LOG_DIR, { recursive: true });

  const state = { startedAt: new Date().toISOString(), root: ROOT, apps: [], servers: [] };
  const save = () =>
    writeState({ ...state, apps: state.apps.map(({ name, pid, port }) => ({ name, pid, port })) });
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('');
    log.step('Stopping (apps first, then the servers this script started)');
    await stopAll(state);
    rmSync(PIDS_FILE, { force: true });
    process.exit(code);
  };
  let running = false;
  // Ctrl-C after start is the normal way to stop (exit 0); during setup it is an interruption.
  const onSignal = () => void shutdown(running ? 0 : 130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const pnpm = opts.install || opts.build ? await ensurePnpm() : undefined;
    if (opts.install) await pnpmInstall(pnpm);

    const nats = await ensureNatsServer({ natsUrl: cfg.natsUrl, monitorPort: cfg.natsMonitorPort });
    if (nats.started) state.servers.push(nats.started);
    save();
    // NOTE: NATS_URL may have named a server too old to use; the apps get the one started instead.
    cfg.natsUrl = nats.url;
    for (const spec of specs) spec.env.NATS_URL = nats.url;
    const pg = await ensurePostgres(cfg.pgAdminUrl);
    if (pg.started) state.servers.push(pg.started);
    save();
    await ensureHll(withDatabase(cfg.aggregatorDatabaseUrl, 'postgres'));
    for (const url of [cfg.aggregatorDatabaseUrl, cfg.notifierDatabaseUrl]) {
      if (ensureDatabase(url)) log.ok(`created database ${new URL(url).pathname.slice(1)}`);
    }

    if (opts.build) {
      const buildStatus = await buildWorkspace(pnpm);
      if (buildStatus !== 0) {
        log.error(
          'the build failed (output above); starting the apps whose dist/main.js exists anyway',
        );
      }
    }

    const migrationSets = [
      { app: 'aggregator', url: cfg.aggregatorDatabaseUrl },
      { app: 'notifier', url: cfg.notifierDatabaseUrl },
    ];
    for (const { app, url } of migrationSets) {
      const dir = path.join('apps', app, 'prisma', 'migrations');
      if (!existsSync(path.join(ROOT, dir))) {
        log.warn(`${dir} does not exist; skipping ${app} migrations`);
        continue;
      }
      log.step(`Migrating ${new URL(url).pathname.slice(1)} from ${dir}`);
      await migrate(url, dir);
    }
  } catch (err) {
    if (state.servers.length > 0) {
      log.error(err instanceof SetupError ? err.message : String(err?.stack ?? err));
      await shutdown(1);
    }
    throw err;
  }

  log.step(`Starting ${specs.map((s) => s.name).join(', ')} (logs in ${rel(LOG_DIR)}/)`);
  const apps = [];
  for (const spec of specs) {
    const app = await startApp(spec);
    apps.push(app);
    if (app.pid) state.apps.push(app);
  }
  save();
  await Promise.all(
    apps.map(async (app) => {
      if (app.failure) return;
      app.failure = await waitReady(app, cfg.readyTimeoutMs);
      if (!app.failure) log.ok(`${app.name} is ready on http://127.0.0.1:${app.port}`);
    }),
  );

  const ready = apps.filter((a) => !a.failure);
  const failed = apps.filter((a) => a.failure);
  for (const app of failed) {
    log.error(`${app.name}: ${app.failure}`);
    if (app.pid) {
      console.error(
        `  last lines of ${rel(app.logFile)}:\n${tailFile(app.logFile).replace(/^/gm, '    ')}`,
      );
    }
  }
  if (ready.length === 0) {
    log.error('no app became ready');
    await shutdown(1);
  }
  printBanner(
    cfg,
    ready,
    {
      nats: state.servers.some((s) => s.name === 'nats'),
      postgres: state.servers.some((s) => s.name === 'postgres'),
    },
    await httpOk(`http://127.0.0.1:${cfg.ports.gateway}/docs`),
  );
  if (failed.length > 0) {
    log.warn(
      `${failed.length} of ${apps.length} apps did not start: ${failed.map((a) => a.name).join(', ')}`,
    );
  }

  if (opts.detach) {
    for (const app of apps) app.child?.unref();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    console.log('');
    console.log(
      `Running in the background (pids in ${rel(PIDS_FILE)}). Stop with: node scripts/stack.mjs down`,
    );
    return failed.length > 0 ? 1 : 0;
  }

  running = true;
  console.log('');
  console.log(
    'Press Ctrl-C to stop the apps' +
      (state.servers.length > 0 ? ' and the servers this script started.' : '.'),
  );
  for (const app of ready) {
    app.child.on('exit', (code, signal) => {
      if (stopping) return;
      log.error(
        `${app.name} exited (${signal ?? `exit code ${code}`}); last lines of ${rel(app.logFile)}:`,
      );
      console.error(tailFile(app.logFile).replace(/^/gm, '    '));
    });
  }
  // Keep the event loop alive until a signal arrives.
  await new Promise(() => setInterval(() => undefined, 1 << 30));
  return 0;
}

// ---------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  switch (opts.command) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'down':
      return down();
    case 'status':
      return status();
    default:
      return (await runOnSupportedNode()) ?? up(opts);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    log.error(err instanceof SetupError ? err.message : String(err?.stack ?? err));
    process.exitCode = 1;
  },
);
