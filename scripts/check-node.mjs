// Guards every npm entry point: npm scripts must run on the pinned Node 24 from the
// `node` devDependency. `npm ci --ignore-scripts` skips that binary's install and npm
// then silently falls back to the machine's older Node, which cannot run our .ts files.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Latent Arena needs Node 24 or newer, but this is Node ${process.versions.node}.\n` +
      'Run `npm install` (without --ignore-scripts) so the pinned Node from the `node` devDependency is used.',
  );
  process.exit(1);
}
