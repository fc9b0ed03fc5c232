// Preloaded (NODE_OPTIONS=--import) into the one app the bench profiles. The first SIGUSR2
// starts V8's sampling profiler, the second writes the profile (.cpuprofile JSON) and stops it,
// so the profile covers exactly the bench's peak phase. (`node --cpu-prof` writes only on a
// normal exit, which a SIGTERMed Nest app does not reach.)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { profileFileFromEnv } from './bench-config.js';

const file = profileFileFromEnv();
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
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
