import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into console/dist and served by the API process at / (same origin, strict CSP: no inline
// scripts or styles, every asset shipped, no CDN).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { proxy: { "/api": "http://127.0.0.1:5100" } },
});
