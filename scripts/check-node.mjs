// Stops npm start, npm test and npm run serve early, with one line that says what to do, on a Node older than the
// project's engines (Node 22.12; it runs the server's TypeScript by type stripping, which older Nodes lack).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `This connector needs Node 22.12 or later (Node 24 LTS is what it is tested on); this is Node ${process.versions.node}.\n` +
      'Run `source .ci/node24.sh` in this shell (it installs Node 24 from the npm registry), then try again.\n',
  );
  process.exit(1);
}
