// Starts the upstream Node daemon (npm @wundr.io/orchestrator-daemon) on 127.0.0.1:<port> for
// the WebSocket bench, exactly as its README's library example does, and prints "ready" once
// the port accepts connections. Run from the bench's npm cache dir (NODE_PATH points there).
const { OrchestratorDaemon } = require('@wundr.io/orchestrator-daemon');

const port = Number(process.argv[2]);
const daemon = new OrchestratorDaemon({ port, host: '127.0.0.1' });
daemon
  .start()
  .then(() => console.log('ready'))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
process.on('SIGTERM', () => {
  daemon.stop().finally(() => process.exit(0));
});
