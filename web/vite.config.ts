/**
 * The front end's build: root web/, output web/dist (served by the API server with an SPA
 * fallback), and in development /api proxied to the API on 127.0.0.1:3000.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * Writes `.br` and `.gz` copies next to every text asset, compressed once at the highest settings,
 * so a static server that serves pre-compressed files (`@fastify/static` `preCompressed`) sends a
 * phone the ~80 kB gzip (~69 kB brotli) of the payment path instead of its ~255 kB, at no CPU cost
 * per request.
 */
function precompress(): Plugin {
  return {
    name: "malipo-precompress",
    apply: "build",
    writeBundle(options, bundle) {
      const dir = options.dir ?? join(webRoot, "dist");
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(?:js|css|html|svg|json)$/.test(fileName)) continue;
        // Every one, however small (a lazy page's own stylesheet is a few hundred bytes): the
        // server then always has a compressed copy to send.
        const bytes = readFileSync(join(dir, fileName));
        writeFileSync(join(dir, `${fileName}.gz`), gzipSync(bytes, { level: 9 }));
        writeFileSync(
          join(dir, `${fileName}.br`),
          brotliCompressSync(bytes, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
            },
          }),
        );
      }
    },
  };
}

export default defineConfig({
  root: webRoot,
  base: "/",
  plugins: [react(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Room to spare for phones on slow links: one warning is cheaper than a surprise.
    chunkSizeWarningLimit: 250,
    rolldownOptions: {
      output: {
        // React changes far less often than the app: its own chunk stays in the phone's cache
        // across deploys, so an update downloads only the app's few kilobytes.
        codeSplitting: {
          groups: [{ name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:3000", changeOrigin: false },
    },
  },
});
