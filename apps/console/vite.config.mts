import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/** The most gzipped JavaScript the signed-in home page may load (issue 14). */
const HOME_BUDGET_BYTES = 250 * 1024;

/**
 * Measures what the first page loads: the entry chunk and every chunk it imports statically (the
 * pages behind `lazy()` are not counted), gzipped. Prints it, writes it to bundle-size.json, and
 * fails the build over the budget.
 */
function homePageBudget(): Plugin {
  return {
    name: 'tessera-home-page-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map(Object.values(bundle).flatMap((item) => (item.type === 'chunk' ? [[item.fileName, item] as const] : [])));
      const entry = [...chunks.values()].find((chunk) => chunk.isEntry);
      if (!entry) throw new Error('no entry chunk');
      const loaded = new Set<string>();
      const visit = (fileName: string) => {
        if (loaded.has(fileName)) return;
        loaded.add(fileName);
        for (const imported of chunks.get(fileName)?.imports ?? []) visit(imported);
      };
      visit(entry.fileName);
      const gzipBytes = [...loaded].reduce((sum, fileName) => sum + gzipSync(chunks.get(fileName)!.code, { level: 9 }).length, 0);
      const report = { homePage: { chunks: [...loaded], gzipBytes, budgetBytes: HOME_BUDGET_BYTES } };
      this.emitFile({ type: 'asset', fileName: 'bundle-size.json', source: JSON.stringify(report, null, 2) });
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      console.log(`\nconsole: the signed-in home page loads ${kb(gzipBytes)} of gzipped JavaScript (budget ${kb(HOME_BUDGET_BYTES)})`);
      if (gzipBytes > HOME_BUDGET_BYTES) this.error(`the home page's JavaScript is over its budget: ${kb(gzipBytes)}`);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // React's automatic JSX runtime through Vite's own transform (no plugin needed for a build).
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [homePageBudget()],
  build: {
    outDir: resolve(import.meta.dirname, '../../dist/console'),
    emptyOutDir: true,
    // The polyfill would be a script of its own; every browser the console supports has modulepreload.
    modulePreload: { polyfill: false },
    sourcemap: true,
    // bundle-size.json measures what matters: the home page's gzipped total, against its budget.
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React libraries mark modules "use client" for server components; a browser bundle needs no such mark.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
