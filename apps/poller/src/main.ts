import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startProcess } from '#common';
import { createPoller } from './poller.app.js';

startProcess('poller', process.env, async () => {
  const { app, roles } = await createPoller(process.env);
  new Logger('Poller').log(`running roles: ${roles.POLLER_ROLES.join(', ')}`);
  return app;
});
