export {
  OdooClient,
  type OdooClientOptions,
  type OdooGroup,
  type OdooGroupKey,
  type OdooReadGroupOptions,
  type OdooReadiness,
  type OdooReadyProbe,
  type OdooServerVersion,
  type OdooDomain,
  type OdooDomainLeaf,
  type OdooRequestOptions,
  type OdooSearchOptions,
  type OdooSearchReadOptions,
} from './odoo.client.js';
export {
  OdooError,
  type OdooErrorKind,
  type OdooErrorContext,
  type OdooErrorInit,
  type OdooProtocol,
} from './odoo.error.js';
export {
  toOdooDatetime,
  toOdooDate,
  fromOdooDatetime,
  nullIfFalse,
  fromMany2one,
  decodeRecord,
  encodeValue,
  type OdooRef,
  type OdooFieldCodec,
} from './odoo.codec.js';
export {
  type OdooTransport,
  type OdooCallArgs,
  type OdooCallOptions,
  type OdooConnection,
} from './odoo.transport.js';
export { Json2Transport } from './json2.transport.js';
export { JsonRpcTransport, toExecuteKw, type ExecuteKwArgs } from './jsonrpc.transport.js';
