# ONNX Runtime's logits for an exported model (test/peers/onnxExport.peer.test.ts):
#   onnx_check.py MODEL.onnx INPUT.f32 N C H W
# INPUT.f32 holds N·C·H·W little-endian float32 values (NCHW). The model must pass onnx's full checker
# (with shape inference) first; prints the logits as one JSON list, row after row.
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

path, raw = sys.argv[1], sys.argv[2]
shape = [int(d) for d in sys.argv[3:]]
onnx.checker.check_model(onnx.load(path), full_check=True)
x = np.fromfile(raw, dtype="<f4").reshape(shape)
session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
assert [i.name for i in session.get_inputs()] == ["input"], session.get_inputs()
assert [o.name for o in session.get_outputs()] == ["logits"], session.get_outputs()
(logits,) = session.run(["logits"], {"input": x})
print(json.dumps(logits.astype(np.float64).ravel().tolist()))
