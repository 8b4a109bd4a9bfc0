import { spawnSync } from 'node:child_process';
import { createTestDatabase, eventually, ROOT, startTessera, type Json, type TestDatabase, type TesseraUnderTest } from '@tessera/testing';

const ADMIN_KEY = 'middle-auth-import-admin-key-0123456789';
const ALICE_KEY = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const SA_KEY = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

/**
 * middle_auth's schema after all its migrations (neuroglancer_auth/model/*.py and
 * migrations/versions), as its own database holds it.
 */
const MIDDLE_AUTH_SCHEMA = `
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
CREATE TABLE tos (id serial PRIMARY KEY, name varchar(80) NOT NULL, text text NOT NULL,
  created timestamp DEFAULT now(), updated timestamp DEFAULT now());
CREATE TABLE "user" (id serial PRIMARY KEY, name varchar(80) NOT NULL, email varchar(120) NOT NULL UNIQUE,
  admin boolean NOT NULL DEFAULT false, gdpr_consent boolean NOT NULL DEFAULT false, pi varchar(80) NOT NULL DEFAULT '',
  created timestamp DEFAULT now(), parent_id integer REFERENCES "user"(id), read_only boolean NOT NULL DEFAULT false);
CREATE TABLE user_custom_name (id serial PRIMARY KEY, user_id integer NOT NULL UNIQUE REFERENCES "user"(id),
  name varchar(80) NOT NULL, active boolean NOT NULL DEFAULT true, created timestamp DEFAULT now(), updated timestamp DEFAULT now());
CREATE TABLE api_key (id serial PRIMARY KEY, description varchar(120), user_id integer NOT NULL REFERENCES "user"(id),
  key varchar(32) NOT NULL UNIQUE, created timestamp DEFAULT now(), updated timestamp DEFAULT now(), last_used timestamp);
CREATE TABLE "group" (id serial PRIMARY KEY, name varchar(120) NOT NULL UNIQUE);
CREATE TABLE user_group (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES "user"(id),
  group_id integer NOT NULL REFERENCES "group"(id), admin boolean NOT NULL DEFAULT false, UNIQUE (user_id, group_id));
CREATE TABLE dataset (id serial PRIMARY KEY, name varchar(120) NOT NULL UNIQUE, tos_id integer REFERENCES tos(id));
CREATE TABLE dataset_admin (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES "user"(id),
  dataset_id integer NOT NULL REFERENCES dataset(id), UNIQUE (user_id, dataset_id));
CREATE TABLE permission (id serial PRIMARY KEY, name varchar(120) NOT NULL UNIQUE);
CREATE TABLE group_dataset_permission (id serial PRIMARY KEY, group_id integer NOT NULL REFERENCES "group"(id),
  dataset_id integer NOT NULL REFERENCES dataset(id), permission_id integer NOT NULL REFERENCES permission(id),
  UNIQUE (group_id, dataset_id, permission_id));
CREATE TABLE service_table (id serial PRIMARY KEY, service_name varchar(120) NOT NULL, table_name varchar(120) NOT NULL,
  dataset_id integer NOT NULL REFERENCES dataset(id), UNIQUE (service_name, table_name));
CREATE TABLE user_tos (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES "user"(id),
  tos_id integer NOT NULL REFERENCES tos(id), created timestamp DEFAULT now(), updated timestamp DEFAULT now(), UNIQUE (user_id, tos_id));
CREATE TABLE affiliation (id serial PRIMARY KEY, name varchar(120) NOT NULL UNIQUE, contact_name varchar(120), contact_email varchar(120));
CREATE TABLE user_affiliation (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES "user"(id),
  affiliation_id integer NOT NULL REFERENCES affiliation(id), start timestamp DEFAULT now(), "end" timestamp,
  UNIQUE (user_id, affiliation_id));
CREATE TABLE app (id serial PRIMARY KEY, url varchar(128) NOT NULL UNIQUE);
CREATE TABLE cell_temp (id serial PRIMARY KEY, table_id varchar(120) NOT NULL, root_id bigint NOT NULL,
  public boolean NOT NULL DEFAULT false, UNIQUE (table_id, root_id));
INSERT INTO alembic_version VALUES ('0dfa3ff7c781');
`;

/** A small deployment as it looks after a few years: ids with gaps, a renamed user, a service account, terms. */
const MIDDLE_AUTH_ROWS = `
INSERT INTO tos (id, name, text, created, updated) VALUES (3, 'MICrONS Terms', 'Cite the MICrONS paper.', '2021-02-01 10:00', '2021-03-01 10:00');
INSERT INTO "user" (id, name, email, admin, pi, created, parent_id, read_only) VALUES
  (7, 'Ada Admin', 'ada@example.org', true, 'Ada PI', '2019-05-02 08:30:00', NULL, false),
  (12, 'alice', 'alice@example.org', false, '', '2020-01-15 12:00:00', NULL, false),
  (15, 'Bob', 'bob@example.org', false, '', '2020-06-01 09:00:00', NULL, true),
  (40, 'pipeline', 'pipeline@service.example.org', false, '', '2022-07-07 07:07:07', 12, false);
INSERT INTO user_custom_name (user_id, name, active) VALUES (12, 'Alice Liddell', true), (15, 'Hidden Name', false);
INSERT INTO api_key (id, description, user_id, key, created) VALUES
  (101, 'laptop', 12, '${ALICE_KEY}', '2020-02-01 00:00'), (102, NULL, 40, '${SA_KEY}', '2022-07-08 00:00');
INSERT INTO "group" (id, name) VALUES (2, 'microns'), (5, 'proofreaders');
INSERT INTO user_group (user_id, group_id, admin) VALUES (12, 2, true), (15, 2, false), (40, 2, false), (12, 5, false);
INSERT INTO dataset (id, name, tos_id) VALUES (4, 'minnie65', 3), (9, 'fanc', NULL);
INSERT INTO dataset_admin (user_id, dataset_id) VALUES (12, 9);
INSERT INTO permission (id, name) VALUES (1, 'view'), (2, 'edit'), (3, 'admin_view'), (4, 'annotate');
INSERT INTO group_dataset_permission (group_id, dataset_id, permission_id) VALUES (2, 4, 1), (2, 4, 2), (5, 9, 1), (5, 9, 4);
INSERT INTO service_table (service_name, table_name, dataset_id) VALUES ('datastack', 'minnie65_public', 4), ('pychunkedgraph', 'fanc_v4', 9);
INSERT INTO user_tos (user_id, tos_id, created) VALUES (12, 3, '2021-03-02 11:00');
INSERT INTO affiliation (id, name, contact_name, contact_email) VALUES (1, 'Allen Institute', 'Contact', 'c@example.org');
INSERT INTO user_affiliation (user_id, affiliation_id, start, "end") VALUES (12, 1, '2019-01-01', NULL);
INSERT INTO app (id, url) VALUES (1, 'https://neuroglancer.example.org/');
INSERT INTO cell_temp (table_id, root_id, public) VALUES
  ('minnie65_public', 864691135000000001, true), ('minnie65_public', 864691135000000002, false), ('fanc_v4', 648518346000000005, true);
`;

describe('import middle-auth (CONTRACT section 8)', () => {
  let source: TestDatabase;
  let tessera: TesseraUnderTest;
  let root: string;

  function importOnce(): { status: number; stdout: string; stderr: string } {
    const run = spawnSync(process.execPath, ['bin/tessera.js', '--json', 'import', 'middle-auth', '--from', source.url], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: tessera.db.url },
      timeout: 120_000,
    });
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  }

  async function get(token: string, path: string): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${tessera.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    source = await createTestDatabase();
    await source.pool.query(MIDDLE_AUTH_SCHEMA);
    await source.pool.query(MIDDLE_AUTH_ROWS);
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY } });
    const minted = await fetch(`${tessera.baseUrl}/api/v1/admin/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: ADMIN_KEY }),
    });
    root = ((await minted.json()) as { token: string }).token;
  }, 120_000);

  afterAll(async () => {
    await tessera?.stop();
    await source?.drop();
  });

  it('imports every kind with its counts, and a second run imports nothing', async () => {
    const first = importOnce();
    expect({ status: first.status, stderr: first.stderr.replace(/^middle_auth: .*\n/m, '') }).toEqual({ status: 0, stderr: '' });
    const summary = JSON.parse(first.stdout);
    const imported = Object.fromEntries(Object.entries<Json>(summary).map(([kind, counts]) => [kind, counts.imported]));
    expect(imported).toEqual({
      permissions: 1,
      users: 3,
      serviceAccounts: 1,
      groups: 2,
      members: 4,
      datasets: 2,
      datasetAdmins: 1,
      grants: 4,
      serviceTables: 2,
      tos: 1,
      tosAcceptances: 1,
      affiliations: 1,
      userAffiliations: 1,
      apps: 1,
      publicRoots: 2,
      apiKeys: 2,
    });
    const events = await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events');
    const second = importOnce();
    expect(second.status).toBe(0);
    const again = JSON.parse(second.stdout);
    expect(Object.values<Json>(again).every((counts) => counts.imported === 0)).toBe(true);
    expect(again.users.skipped).toBe(3);
    expect((await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events')).rows[0].n).toBe(events.rows[0].n);
    // Only hashes of the keys are in the log.
    const log = await tessera.db.pool.query('SELECT data::text FROM event_store.events');
    expect(log.rows.some((row) => row.data.includes(ALICE_KEY) || row.data.includes(SA_KEY))).toBe(false);
  });

  it("an imported API key works as a legacy token on middle_auth's routes and the native API, with the user's number and terms", async () => {
    const cache = await eventually(
      () => get(ALICE_KEY, '/auth/api/v1/user/cache'),
      (answer) => answer.status === 200,
    );
    expect(cache.status).toBe(200);
    expect(cache.body).toMatchObject({
      id: 12,
      parent_id: null,
      name: 'Alice Liddell',
      email: 'alice@example.org',
      admin: false,
      groups: ['microns', 'proofreaders'],
      affiliations: ['Allen Institute'],
      permissions: { minnie65: 2, fanc: 1 },
      permissions_v2: { minnie65: ['edit', 'view'], fanc: ['annotate', 'view'] },
      missing_tos: [],
      datasets_admin: ['fanc'],
      groups_admin: ['microns'],
    });
    const me = await get(ALICE_KEY, '/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('Alice Liddell');
    const tokens = await get(ALICE_KEY, '/api/v1/tokens');
    expect(tokens.body.items).toEqual([expect.objectContaining({ name: 'laptop', kind: 'personal', hint: 'legacy_…e8f9' })]);
    expect(JSON.stringify(tokens.body)).not.toContain(ALICE_KEY);
  });

  it('keeps service-account parents (terms through the parent), times, numbers, servicetables, public roots and apps', async () => {
    const sa = await eventually(
      () => get(SA_KEY, '/auth/api/v1/user/cache'),
      (answer) => answer.status === 200,
    );
    expect(sa.body).toMatchObject({ id: 40, parent_id: 12, service_account: true, permissions_v2: { minnie65: ['edit', 'view'] } });
    const bob = await get(root, '/auth/api/v1/user/15/permissions');
    expect(bob.body).toMatchObject({ id: 15, name: 'Bob', permissions_v2: {}, permissions_v2_ignore_tos: { minnie65: ['view'] } });
    expect(bob.body.missing_tos).toEqual([expect.objectContaining({ dataset_name: 'minnie65', tos_name: 'MICrONS Terms' })]);
    const users = await get(root, '/api/v1/users?limit=500');
    const ada = users.body.items.find((user: Json) => user.number === 7);
    expect(ada).toMatchObject({ name: 'Ada Admin', admin: true, createdAt: '2019-05-02T08:30:00.000Z' });
    const dataset = await fetch(`${tessera.baseUrl}/auth/api/v1/service/pychunkedgraph/table/fanc_v4/dataset`, {
      headers: { authorization: `Bearer ${ALICE_KEY}` },
    });
    expect(await dataset.text()).toBe('"fanc"');
    const isPublic = await fetch(`${tessera.baseUrl}/auth/api/v1/table/minnie65_public/root/864691135000000001/is_public`);
    expect(await isPublic.text()).toBe('true');
    const notPublic = await fetch(`${tessera.baseUrl}/auth/api/v1/table/minnie65_public/root/864691135000000002/is_public`);
    expect(await notPublic.text()).toBe('false');
    const apps = await get(root, '/api/v1/apps');
    expect(apps.body.items.map((app: Json) => app.url)).toEqual(['https://neuroglancer.example.org/']);
    // A user registered after the import takes the next free number.
    const created = await fetch(`${tessera.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Newcomer' }),
    });
    expect(((await created.json()) as Json).number).toBe(41);
  });
});
