// Resolves the @tessera/<lib> aliases of tsconfig.json to the compiled libs in dist/.
const path = require('node:path');
const { register } = require('tsconfig-paths');

const root = path.resolve(__dirname, '..');
const libs = ['contracts', 'event-store', 'config', 'messaging', 'observability', 'platform', 'testing', 'token-index', 'access-rules'];
register({
  baseUrl: root,
  paths: Object.fromEntries(libs.map((lib) => [`@tessera/${lib}`, [`dist/libs/${lib}/src`]])),
});
