// Preloaded (NODE_OPTIONS=--import) into the one app the bench profiles. The first SIGWINCH
// starts V8's sampling profiler, the second writes the profile (.cpuprofile JSON) and stops it,
// so the profile covers exactly the bench's peak phase. (`node --cpu-prof` writes only on a
// normal exit, which a SIGTERMed Nest app does not reach.)
// NOTE: SIGWINCH because Nest's enableShutdownHooks() shuts the app down on SIGUSR2 (and on
// every other signal it knows), Node reserves SIGUSR1 for the inspector, and SIGWINCH is
// ignored by default, so a process without this hook is not harmed by it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { profileFileFromEnv } from './bench-config.js';

const file = profileFileFromEnv();
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => {
        session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => {
          session.post('Profiler.start');
        });
      });
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
