import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startProcess } from '#common';
import { createApi } from './api.app.js';

startProcess('api', process.env, async () => {
  const { app, api } = await createApi(process.env);
  await app.listen(api.PORT, api.API_HOST);
  new Logger('Api').log(`listening on ${await app.getUrl()}`);
  return app;
});
