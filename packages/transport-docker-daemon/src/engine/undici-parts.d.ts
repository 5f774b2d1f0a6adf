// Types of the undici modules imported one by one (undici 7.30.2 has no `exports` map and ships
// no declarations for its lib/ files): one Client (a single connection to one origin) and the
// request API skip fetch, WebSocket, the caches and the mocks undici's index loads.
declare module 'undici/lib/dispatcher/client.js' {
  import { Client } from 'undici';
  export default Client;
}
declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
