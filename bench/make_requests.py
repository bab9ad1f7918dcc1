#!/usr/bin/python3
"""Writes the benchmark request bodies for batch sizes 1 and 64 into the given directory:

  v1-b{N}.json    KServe V1  {"instances": [[...F floats...], ...]}
  v2-b{N}.json    Open Inference Protocol REST, input-0 FP32 [N,F]
  grpc-b{N}.bin   gRPC frame (5-byte prefix + ModelInferRequest) for inference.GRPCInferenceService/ModelInfer,
                  input-0 FP32 [N,F] in fp32_contents

  make_requests.py OUT_DIR [MODEL_NAME [ROWS_JSON]]

The rows cycle through two iris rows (F = 4), or through the "instances" of ROWS_JSON (a V1 request such as an
example's v1-request.json).

The protobuf is encoded by hand (field numbers from the Open Inference Protocol proto), so no protobuf
package or generated code is needed.
"""

import json
import os
import struct
import sys

ROWS = [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, wire_type, payload):
    key = varint((number << 3) | wire_type)
    if wire_type == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def string(number, text):
    return field(number, 2, text.encode("utf-8"))


def model_infer_request(model, rows):
    shape = b"".join(varint(v) for v in (len(rows), len(rows[0])))
    floats = b"".join(struct.pack("<f", v) for row in rows for v in row)
    contents = field(6, 2, floats)  # InferTensorContents.fp32_contents (packed)
    tensor = string(1, "input-0") + string(2, "FP32") + field(3, 2, shape) + field(5, 2, contents)
    return string(1, model) + field(5, 2, tensor)


def main():
    out_dir = sys.argv[1]
    model = sys.argv[2] if len(sys.argv) > 2 else "iris"
    source = ROWS
    if len(sys.argv) > 3:
        with open(sys.argv[3]) as f:
            source = json.load(f)["instances"]
        if not source or any(len(row) != len(source[0]) for row in source):
            sys.exit(f"{sys.argv[3]}: 'instances' must be a non-empty list of rows of equal length")
    os.makedirs(out_dir, exist_ok=True)
    for batch in (1, 64):
        rows = [source[i % len(source)] for i in range(batch)]
        with open(os.path.join(out_dir, f"v1-b{batch}.json"), "w") as f:
            json.dump({"instances": rows}, f, separators=(",", ":"))
        v2 = {"inputs": [{"name": "input-0", "shape": [batch, 4], "datatype": "FP32", "data": rows}]}
        with open(os.path.join(out_dir, f"v2-b{batch}.json"), "w") as f:
            json.dump(v2, f, separators=(",", ":"))
        message = model_infer_request(model, rows)
        with open(os.path.join(out_dir, f"grpc-b{batch}.bin"), "wb") as f:
            f.write(b"\x00" + struct.pack(">I", len(message)) + message)


if __name__ == "__main__":
    main()
