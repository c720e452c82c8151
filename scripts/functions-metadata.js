/**
 * functions.json as Excel must receive it: the metadata custom-functions-metadata generates from
 * the JSDoc of src/functions/functions.ts, with `allowErrorForDataTypeAny: true` added. Without
 * it Excel does not call a function whose range holds an error value (#N/A, #DIV/0!): the cell
 * shows the error instead (https://learn.microsoft.com/office/dev/add-ins/excel/custom-functions-errors,
 * "Errors as custom function inputs"). It is a top-level property
 * (https://learn.microsoft.com/office/dev/add-ins/excel/custom-functions-json#allowerrorfordatatypeany)
 * that the generator cannot write. Used by webpack.config.js and the tests.
 */
"use strict";

/** A copy of the metadata object with the flag, placed beside allowCustomDataForDataTypeAny. */
function withErrorInputs(metadata) {
  const { functions, ...top } = metadata;
  return { ...top, allowErrorForDataTypeAny: true, functions };
}

module.exports = { withErrorInputs };
