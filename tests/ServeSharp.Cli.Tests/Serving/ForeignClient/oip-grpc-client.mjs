// An Open Inference Protocol client that shares no code with ServeSharp: grpc-js (its own HTTP/2 stack) with stubs
// generated at run time from the .proto by proto-loader, as a user of another language would call the server.
// Usage: node oip-grpc-client.mjs <node_modules dir> <proto file> <grpc port> <model name>
// Calls every RPC of GRPCInferenceService and prints one JSON document of what came back (errors as code + details).
import { createRequire } from 'node:module';
import path from 'node:path';

const [nodeModules, protoPath, port, model] = process.argv.slice(2);
const require = createRequire(path.join(nodeModules, 'noop.js'));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const inference = grpc.loadPackageDefinition(definition).inference;
const client = new inference.GRPCInferenceService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

// Resolves once both the answer and the status (with the trailers) are in; grpc-js calls back before the status event.
const call = (method, request, metadata = new grpc.Metadata()) => new Promise((resolve) => {
  let outcome;
  let trailers;
  const settle = () => { if (outcome && trailers) resolve({ ...outcome, trailers }); };
  const c = client[method](request, metadata, (error, response) => {
    outcome = error ? { error: { code: grpc.status[error.code], details: error.details } } : { response };
    settle();
  });
  c.on('status', (status) => { trailers = status.metadata.getMap(); settle(); });
});

const rows = [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]];

function decodeRaw(output, bytes) {
  const buffer = Buffer.from(bytes);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const values = [];
  switch (output.datatype) {
    case 'INT64': for (let i = 0; i < buffer.length; i += 8) values.push(view.getBigInt64(i, true).toString()); break;
    case 'FP32': for (let i = 0; i < buffer.length; i += 4) values.push(view.getFloat32(i, true)); break;
    case 'FP64': for (let i = 0; i < buffer.length; i += 8) values.push(view.getFloat64(i, true)); break;
    default: values.push(`undecoded ${output.datatype}`);
  }
  return values;
}

const result = {};
result.serverLive = await call('ServerLive', {});
result.serverReady = await call('ServerReady', {});
result.modelReady = await call('ModelReady', { name: model });
result.serverMetadata = await call('ServerMetadata', {});
result.modelMetadata = await call('ModelMetadata', { name: model });
const inputName = result.modelMetadata.response.inputs[0].name;

const requestId = new grpc.Metadata();
requestId.set('x-request-id', 'node-client-1');
result.typedInfer = await call('ModelInfer', {
  model_name: model, id: 'typed',
  inputs: [{ name: inputName, datatype: 'FP32', shape: [2, 4], contents: { fp32_contents: rows.flat() } }],
}, requestId);

const raw = Buffer.alloc(rows.flat().length * 4);
rows.flat().forEach((v, i) => raw.writeFloatLE(v, i * 4));
const rawInfer = await call('ModelInfer', {
  model_name: model, id: 'raw',
  inputs: [{ name: inputName, datatype: 'FP32', shape: [2, 4] }],
  raw_input_contents: [raw],
});
if (rawInfer.response) {
  rawInfer.decoded = rawInfer.response.outputs.map((o, i) => ({ name: o.name, datatype: o.datatype, shape: o.shape, values: decodeRaw(o, rawInfer.response.raw_output_contents[i]) }));
  delete rawInfer.response.raw_output_contents;
}
result.rawInfer = rawInfer;
result.unknownModelInfer = await call('ModelInfer', { model_name: 'nope', inputs: [{ name: inputName, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: rows[0] } }] });
result.shapeMismatchInfer = await call('ModelInfer', { model_name: model, inputs: [{ name: inputName, datatype: 'FP32', shape: [2, 4], contents: { fp32_contents: rows[0] } }] });

result.streamInfer = await new Promise((resolve) => {
  const answers = [];
  const stream = client.ModelStreamInfer();
  stream.on('data', (message) => answers.push(message));
  stream.on('error', (error) => resolve({ answers, error: { code: grpc.status[error.code], details: error.details } }));
  stream.on('end', () => resolve({ answers }));
  stream.write({ model_name: model, id: 's1', inputs: [{ name: inputName, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: rows[0] } }] });
  stream.write({ model_name: 'nope', id: 's2', inputs: [{ name: inputName, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: rows[0] } }] });
  stream.write({ model_name: model, id: 's3', inputs: [{ name: inputName, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: rows[1] } }] });
  stream.end();
});

result.repositoryIndex = await call('RepositoryIndex', {});
result.unload = await call('RepositoryModelUnload', { model_name: model });
result.readyAfterUnload = await call('ModelReady', { name: model });
result.load = await call('RepositoryModelLoad', { model_name: model });
result.readyAfterLoad = await call('ModelReady', { name: model });
result.loadUnknown = await call('RepositoryModelLoad', { model_name: 'ghost' });

client.close();
process.stdout.write(JSON.stringify(result, null, 1));
