// Tensors
export { tf } from './tf.js';
export type { Tensor, Scalar, Tensor1D } from './tf.js';
export { useBackend, read, BACKENDS, BACKEND_ENV } from './backend.js';
export type { BackendName, BackendInfo } from './backend.js';
export { registerConvGradients } from './conv-gradients.js';
export { registerKernels } from './kernels/register.js';
export { stockWasmKernel } from './kernels/install-wasm-kernel.js';

// Interfaces and the plugin registry
export * from './types.js';
export { defineTask, registerTask, unregisterTask, getTask, hasTask, listTasks, taskProblems } from './registry.js';
export { AlenError, dataError } from './errors.js';
export type { AlenErrorCode } from './errors.js';

// Building blocks for task plugins
export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { ParamStore, dense, conv2d, conv2dTranspose, dropout } from './params.js';
export type { Param, Init } from './params.js';
export { boxSpace, simplexSpace, projectSimplex } from './output-space.js';
export { checkDataset, checkTaskData, takeFirst, limitTaskData, batchOf, inputsOf, sizeOfShape, concatDatasets } from './dataset.js';

// The method
export { gradientAscent } from './inference.js';
export type { AscentOptions, AscentResult } from './inference.js';
export { METHODS, CORE_DEFAULTS, OPTIONAL_HYPERPARAMS, knownHyperParams, METHOD_OVERRIDES, assertMethod, methodFamily, resolveHyperParams, explainHyperParams, validateHyperParams, lrMultiplier, dvnTupleSteps } from './hyperparams.js';
export type { HyperParamSource } from './hyperparams.js';
export { HYPERPARAM_DOCS, type HyperParamName } from './hyperparam-docs.js';
export { getMethod } from './methods/index.js';
export type { Method, StepContext, PredictOptions } from './methods/index.js';
export { checkNetworks } from './check-networks.js';
export { createModel, disposeModel, networksOf, outputShapeFor, withInferenceSettings, INFERENCE_HYPERPARAMS } from './model.js';
export type { Model } from './model.js';
export { NetOptimizer } from './optim.js';
export { train, CHECKPOINT_BEST, CHECKPOINT_LAST, FINAL_MODEL } from './trainer.js';
export type { TrainOptions, TrainResult } from './trainer.js';
export { predictBatch, predictDataset, predictionSteps } from './predict.js';
export type { PredictionOptions, DatasetPrediction } from './predict.js';
export { evaluateModel, stepCurve, predictWithCurve, selectTestSteps, tunedMetrics } from './evaluate.js';
export type { Metrics, CurvePoint } from './evaluate.js';

// Checkpoints and callbacks
export { saveCheckpoint, loadCheckpoint, readTopology, loadOptimizerState, loadMethodState, MODEL_FILE, WEIGHTS_FILE, TRAINING_FILE, OPTIMIZER_FILE, METHOD_STATE_FILE } from './checkpoint.js';
export type { ModelTopology, TrainingState, LoadedCheckpoint } from './checkpoint.js';
export { writeFileAtomic, writeDirAtomic } from './fs-atomic.js';
export { lockRunFolder, LOCK_FILE } from './run-lock.js';
export type { Callback, TrainStartInfo, BatchInfo, EpochRecord } from './callbacks/callback.js';
export { jsonlLogger } from './callbacks/jsonl-logger.js';

// Ready-made networks for image tasks (dense per-pixel outputs)
export { convEnergyNet } from './nets/conv-energy.js';
export type { ConvEnergyNetOptions } from './nets/conv-energy.js';
export { fcnInference, fcnEnergyNet } from './nets/fcn.js';
export type { FcnInferenceOptions } from './nets/fcn.js';
export type { StoreOrContext, ConvStackOptions } from './nets/net-options.js';

// Training-time augmentation for image tasks (random crops, horizontal flips)
export { cropFlipAugment, drawCrops, cropBatch } from './augment/crop-flip.js';
export type { CropFlipOptions, CropSpec } from './augment/crop-flip.js';
export { createCropViews, DVN_OFFSETS, evenOffsets } from './augment/crop-views.js';
export type { CropViews, CropViewsOptions } from './augment/crop-views.js';

// Small helpers shared by task plugins
export { archNumber, archBoolean, archString } from './util/arch-options.js';
export type { ArchSource, ArchNumberOptions } from './util/arch-options.js';
export { mapLimit } from './util/map-limit.js';
export { reshapeIfNeeded } from './util/reshape.js';
export { detached } from './util/detached.js';
export { listImageFiles, IMAGE_EXTENSIONS } from './util/image-files.js';
