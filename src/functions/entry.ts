/**
 * The functions' bundle (functions.js, which the manifest names): the functions, registered with
 * Excel by functions.ts, over the page's fitting worker.
 */
import { createFitWorker } from "../worker/createWorker";
import { setWorkerFactory } from "../worker/shared";
import "./functions";

setWorkerFactory(createFitWorker);
