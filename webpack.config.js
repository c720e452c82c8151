/**
 * Builds the Excel add-in into dist/:
 *   taskpane.html   the one page of the shared runtime: loads office.js, functions.js, taskpane.js
 *   functions.js    the MIXEDLM custom functions (src/functions/functions.ts)
 *   taskpane.js     the task pane (src/taskpane/index.tsx), plus its fit worker chunk
 *   functions.json  the custom functions' metadata, generated from the JSDoc of functions.ts
 *   manifest.xml    the manifest, with https://localhost:3000/ replaced by ADDIN_URL in production
 *   assets/         icons and the support page
 *
 *   npm run build                                  production, ADDIN_URL or the placeholder below
 *   ADDIN_URL=https://example.org/mixedlm/ npm run build
 *   npm run build:dev                              development: URLs stay https://localhost:3000/
 *   npm run dev-server                             serves the development build on port 3000
 *
 * Type checking is `tsc --noEmit` (npm test / npm run lint); ts-loader only transpiles here.
 */
/* eslint-disable no-undef */
const fs = require("fs");
const os = require("os");
const path = require("path");
const webpack = require("webpack");
const CopyWebpackPlugin = require("copy-webpack-plugin");
const CustomFunctionsMetadataPlugin = require("custom-functions-metadata-plugin");
const HtmlWebpackPlugin = require("html-webpack-plugin");

const URL_DEV = "https://localhost:3000/";
/** Where the production build will be hosted; set ADDIN_URL (https, ending with /). */
const URL_PROD_PLACEHOLDER = "https://www.contoso.com/mixedlm/";
const PORT = Number(process.env.PORT || 3000);

function productionUrl() {
  let url = (process.env.ADDIN_URL || URL_PROD_PLACEHOLDER).trim();
  if (!url.endsWith("/")) url += "/";
  if (!/^https:\/\/[^/]+\//.test(url)) {
    throw new Error(`ADDIN_URL must be an https:// address (Office loads add-ins over https only), got "${url}".`);
  }
  return url;
}

/**
 * custom-functions-metadata-plugin also appends unguarded `CustomFunctions.associate(...)` calls
 * to functions.ts through a loader. functions.ts registers its functions itself, guarded so that
 * the page still loads outside Excel (a plain browser, the e2e tests); this drops that loader so
 * each function is associated once.
 */
class DropMetadataAssociateLoader {
  apply(compiler) {
    const loader = require.resolve("custom-functions-metadata-plugin/lib/loader.js");
    compiler.hooks.compilation.tap("DropMetadataAssociateLoader", (compilation) => {
      webpack.NormalModule.getCompilationHooks(compilation).beforeLoaders.tap("DropMetadataAssociateLoader", (_, module) => {
        module.loaders = module.loaders.filter((l) => l.loader !== loader);
      });
    });
  }
}

/**
 * The dev server's certificate: office-addin-dev-certs' (installed by `npx office-addin-dev-certs
 * install`, kept in ~/.office-addin-dev-certs), or DEV_CERT / DEV_KEY files. Without one it
 * serves plain http, enough for a browser but not for Excel, which requires https.
 */
function devServerType() {
  const dir = path.join(os.homedir(), ".office-addin-dev-certs");
  const cert = process.env.DEV_CERT || path.join(dir, "localhost.crt");
  const key = process.env.DEV_KEY || path.join(dir, "localhost.key");
  const ca = path.join(dir, "ca.crt");
  if (fs.existsSync(cert) && fs.existsSync(key)) {
    const options = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
    if (fs.existsSync(ca)) options.ca = fs.readFileSync(ca);
    return { type: "https", options };
  }
  console.warn(
    `[dev-server] no certificate found (${cert}): serving http://localhost:${PORT}/. ` +
      "Excel needs https: run `npx office-addin-dev-certs install` once, or set DEV_CERT and DEV_KEY.",
  );
  return { type: "http" };
}

module.exports = (env, argv) => {
  const dev = argv.mode !== "production";
  const urlProd = dev ? URL_DEV : productionUrl();
  const serving = Boolean(env && env.WEBPACK_SERVE);

  return {
    mode: dev ? "development" : "production",
    devtool: "source-map",
    target: ["web", "es2020"],
    entry: {
      functions: "./src/functions/functions.ts",
      taskpane: "./src/taskpane/index.tsx",
    },
    output: {
      path: path.resolve(__dirname, "dist"),
      // functions.js is named in the manifest: no hash in entry names
      filename: "[name].js",
      chunkFilename: "[name].[contenthash:8].js",
      clean: true,
    },
    resolve: {
      extensions: [".ts", ".tsx", ".js"],
    },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: "ts-loader",
            options: {
              transpileOnly: true,
              // ES modules, so that webpack sees `new Worker(new URL("./x.ts", import.meta.url))`
              compilerOptions: { module: "esnext", sourceMap: true },
            },
          },
        },
      ],
    },
    plugins: [
      new CustomFunctionsMetadataPlugin({
        output: "functions.json",
        input: "./src/functions/functions.ts",
      }),
      new DropMetadataAssociateLoader(),
      new HtmlWebpackPlugin({
        filename: "taskpane.html",
        template: "./src/taskpane/taskpane.html",
        // shared runtime: the task pane page also hosts the custom functions
        chunks: ["functions", "taskpane"],
        chunksSortMode: "manual",
      }),
      new CopyWebpackPlugin({
        patterns: [
          {
            from: "manifest.xml",
            to: "manifest.xml",
            transform(content) {
              return dev ? content : content.toString().split(URL_DEV).join(urlProd);
            },
          },
          { from: "assets", to: "assets" },
        ],
      }),
    ],
    performance: {
      // React and Fluent UI make a task pane bundle above webpack's 244 KB default; it loads once
      maxAssetSize: 2_000_000,
      maxEntrypointSize: 2_000_000,
    },
    devServer: serving
      ? {
          port: PORT,
          server: devServerType(),
          headers: { "Access-Control-Allow-Origin": "*" },
          static: false,
          hot: false,
          client: { overlay: { warnings: false } },
        }
      : undefined,
  };
};

module.exports.URL_DEV = URL_DEV;
module.exports.URL_PROD_PLACEHOLDER = URL_PROD_PLACEHOLDER;
