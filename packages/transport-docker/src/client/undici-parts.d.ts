// Types of the undici modules imported one by one (undici 7.30.2 has no `exports` map and ships
// no declarations for its lib/ files): loading only these skips fetch, WebSocket, the caches and
// the mocks that undici's index loads (~100 ms of start-up).
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}
declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
declare module 'undici/lib/core/connect.js' {
  import { buildConnector } from 'undici';
  export default buildConnector;
}
