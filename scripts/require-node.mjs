// Loaded before anything else (`node --import ./scripts/require-node.mjs …`, and first by every
// entry point), in plain JavaScript so that an older Node reads it and explains itself instead of
// failing on TypeScript syntax or a native addon built for a newer Node.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(`Malipo needs Node.js 22 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}
