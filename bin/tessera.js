#!/usr/bin/env node
// The operators' command line: talks to the gateway (TESSERA_URL, default http://127.0.0.1:3000)
// with the super-admin token in TESSERA_TOKEN. Progress goes to stderr, data to stdout.
const fs = require('node:fs');
/* global fetch, URLSearchParams */
const { once } = require('node:events');

const USAGE = `usage: tessera <command> [options]

  audit events [--type T] [--stream-id S] [--actor A] [--user U] [--dataset D] [--from ISO] [--to ISO] [--limit N] [--all]
  audit access --dataset <id or name> --at <ISO time> [--json]
  audit access --user <id> --at <ISO time> [--json]
  audit export [--from ISO] [--to ISO] [--after POS] [--out FILE]   NDJSON, one event a line
  replay <projection>                                      rebuild audit-access, token-index or decision-index

environment: TESSERA_URL (default http://127.0.0.1:3000), TESSERA_TOKEN (a super-admin token)`;

class CliError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

function parseOptions(args) {
  const options = {};
  const positional = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) options[name] = inline;
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) options[name] = args[++i];
    else options[name] = true;
  }
  return { options, positional };
}

function client(env) {
  const base = (env.TESSERA_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
  const token = env.TESSERA_TOKEN;
  if (!token) throw new CliError('TESSERA_TOKEN is not set: mint an admin token (POST /api/v1/admin/tokens) and export it', 78);
  const headers = { authorization: `Bearer ${token}` };
  return {
    base,
    async request(method, path, body) {
      let response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
          body: body ? JSON.stringify(body) : undefined,
        });
      } catch (error) {
        throw new CliError(`cannot reach ${base}: ${error.cause?.message ?? error.message}`, 69);
      }
      if (!response.ok) await fail(response);
      return response;
    },
    async json(method, path, body) {
      return (await this.request(method, path, body)).json();
    },
  };
}

async function fail(response) {
  const text = await response.text();
  let message = text;
  try {
    const body = JSON.parse(text);
    message = `${body.error}: ${body.message}`;
  } catch {
    // not JSON: show the raw text
  }
  throw new CliError(`HTTP ${response.status} ${message}`, response.status === 401 || response.status === 403 ? 77 : 1);
}

function query(options, names) {
  const params = new URLSearchParams();
  for (const [option, param] of Object.entries(names)) if (typeof options[option] === 'string') params.set(param, options[option]);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A one-line progress bar on stderr when it is a terminal, else a line every few seconds. */
function progressBar(stderr, label) {
  let lastLine = 0;
  return {
    update(fraction, detail) {
      const now = Date.now();
      if (!stderr.isTTY && now - lastLine < 2000 && fraction < 1) return;
      lastLine = now;
      const width = 30;
      const clamped = Math.max(0, Math.min(1, fraction));
      const filled = Math.round(clamped * width);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(clamped * 100).toFixed(1).padStart(5)}% ${detail}`;
      stderr.write(stderr.isTTY ? `\r${line}` : `${line}\n`);
    },
    done(detail) {
      this.update(1, detail);
      if (stderr.isTTY) stderr.write('\n');
    },
  };
}

async function auditEvents(api, options, io) {
  const filters = query(options, {
    type: 'type',
    'stream-id': 'streamId',
    actor: 'actor',
    user: 'user',
    dataset: 'dataset',
    from: 'from',
    to: 'to',
    limit: 'limit',
  });
  let cursor = null;
  do {
    const separator = filters ? '&' : '?';
    const page = await api.json('GET', `/api/v1/audit/events${filters}${cursor ? `${separator}cursor=${cursor}` : ''}`);
    for (const item of page.items) io.stdout.write(JSON.stringify(item) + '\n');
    cursor = options.all ? page.nextCursor : null;
    if (!options.all && page.nextCursor) io.stderr.write(`more after cursor ${page.nextCursor} (--all to follow)\n`);
  } while (cursor);
}

async function auditAccess(api, options, io) {
  if (typeof options.at !== 'string') throw new CliError('audit access needs --at <ISO time>', 64);
  if ((typeof options.dataset === 'string') === (typeof options.user === 'string')) {
    throw new CliError('audit access needs exactly one of --dataset and --user', 64);
  }
  const answer = await api.json('GET', `/api/v1/audit/access${query(options, { dataset: 'dataset', user: 'user', at: 'at' })}`);
  if (options.json) {
    io.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    return;
  }
  if (answer.dataset) {
    io.stdout.write(`dataset ${answer.dataset.name} (${answer.dataset.id}) at ${answer.at}, revision ${answer.revision}\n`);
    if (answer.users.length === 0) io.stdout.write('  nobody held a permission\n');
    for (const user of answer.users) {
      io.stdout.write(
        `  ${(user.name ?? '?').padEnd(20)} ${user.id}  ${user.permissions.join(',').padEnd(20)} via ${user.via.join(', ')}\n`,
      );
    }
  } else {
    const flags = [answer.user.readOnly && 'read-only', answer.user.deactivated && 'deactivated'].filter(Boolean).join(', ');
    io.stdout.write(
      `user ${answer.user.name ?? '?'} (${answer.user.id})${flags ? ` [${flags}]` : ''} at ${answer.at}, revision ${answer.revision}\n`,
    );
    if (answer.datasets.length === 0) io.stdout.write('  held no permission\n');
    for (const dataset of answer.datasets) {
      io.stdout.write(`  ${dataset.name.padEnd(20)} ${dataset.permissions.join(',').padEnd(20)} via ${dataset.via.join(', ')}\n`);
    }
  }
}

async function auditExport(api, options, io) {
  // The log's positions are dense, so position / head is how far the export has come.
  const ready = await fetch(`${api.base}/readyz`)
    .then((response) => response.json())
    .catch(() => ({}));
  const head = Math.max(1, ...Object.values(ready.apps ?? {}).map((app) => Number(app.revision) || 0));
  const response = await api.request('GET', `/api/v1/audit/export${query(options, { from: 'from', to: 'to', after: 'after' })}`);
  const out = typeof options.out === 'string' ? fs.createWriteStream(options.out) : io.stdout;
  const bar = progressBar(io.stderr, 'export');
  let lines = 0;
  let partial = '';
  for await (const chunk of response.body) {
    const text = Buffer.from(chunk).toString('utf8');
    // Writing waits for the file or pipe to drain, so a slow reader slows the download.
    if (!out.write(text)) await once(out, 'drain');
    const parts = (partial + text).split('\n');
    partial = parts.pop();
    lines += parts.length;
    if (parts.length > 0) {
      const last = JSON.parse(parts[parts.length - 1]);
      bar.update(Number(last.position) / head, `${lines} events`);
    }
  }
  bar.done(`${lines} events`);
  if (out !== io.stdout) await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

async function replay(api, projection, io) {
  if (!projection) throw new CliError('replay needs a projection: audit-access, token-index or decision-index', 64);
  const { jobId } = await api.json('POST', '/api/v1/audit/replay', { projection });
  io.stderr.write(`replay ${projection}: job ${jobId}\n`);
  const bar = progressBar(io.stderr, 'replay');
  for (;;) {
    const job = await api.json('GET', `/api/v1/audit/replay/${jobId}`);
    if (job.status === 'failed') throw new CliError(`replay failed: ${job.failure}`);
    if (job.status === 'swapped') {
      bar.done(`at ${job.position}`);
      io.stdout.write(`${JSON.stringify(job)}\n`);
      if (job.matchesLive === false) io.stderr.write('the rebuilt copy differed from the live one; the rebuilt copy is now live\n');
      return;
    }
    bar.update(job.progress, `${job.position}/${job.target} events`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(argv, env, io) {
  const { options, positional } = parseOptions(argv);
  const [command, sub, argument] = positional;
  if (!command || options.help) {
    io.stdout.write(USAGE + '\n');
    return;
  }
  const api = client(env);
  if (command === 'replay') return replay(api, sub, io);
  if (command === 'audit' && sub === 'events') return auditEvents(api, options, io);
  if (command === 'audit' && sub === 'access') return auditAccess(api, options, io);
  if (command === 'audit' && sub === 'export') return auditExport(api, options, io);
  throw new CliError(`unknown command: ${[command, sub, argument].filter(Boolean).join(' ')}\n\n${USAGE}`, 64);
}

module.exports = { main, parseOptions };

if (require.main === module) {
  main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).catch((error) => {
    process.stderr.write(`tessera: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  });
}
