/**
 * The front end's build: root web/, output web/dist (served by the API server with an SPA
 * fallback), and in development /api proxied to the API on 127.0.0.1:3000.
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: webRoot,
  base: "/",
  plugins: [react()],
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
