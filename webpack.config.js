/**
 * Builds the Excel add-in into dist/:
 *   taskpane.html   the one page of the shared runtime: loads office.js, then (all deferred)
 *                   runtime.js, the engine's chunk, functions.js and taskpane.js
 *   runtime.js      webpack's runtime, one for both entries, so that they share modules (the
 *                   engine, and the one fitting worker of the page: src/worker/shared.ts)
 *   engine.*.js     the engine and the report tables: one chunk, loaded by the page (the task
 *                   pane's formula check, the functions when no worker can start) and by the
 *                   fitting worker (importScripts), cached once by the browser
 *   functions.js    the MIXEDLM custom functions (src/functions/entry.ts)
 *   taskpane.js     the task pane (src/taskpane/index.tsx)
 *   fit-worker.*.js the fitting worker (src/worker/fit.worker.ts)
 *   sample-data.*.js the sample workbook's data, loaded only outside Excel
 *   functions.json  the custom functions' metadata, generated from the JSDoc of functions.ts,
 *                   with allowErrorForDataTypeAny added (scripts/functions-metadata.js)
 *   manifest.xml    the manifest, with https://localhost:3000/ replaced by ADDIN_URL in production
 *   assets/         icons and the support page
 * Source maps are hidden (no shipped script names one) and written outside dist/, to
 * build/sourcemaps/ (or SOURCEMAP_DIR). The build ends with the size of every shipped file.
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
const zlib = require("zlib");
const { withErrorInputs } = require("./scripts/functions-metadata");

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
 * custom-functions-metadata-plugin writes functions.json from the JSDoc but has no way to set
 * `allowErrorForDataTypeAny` (Microsoft: it "can only be used with manually created JSON
 * metadata"); this adds it to the file the plugin wrote.
 */
class AllowErrorInputs {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap("AllowErrorInputs", (compilation) => {
      compilation.hooks.processAssets.tap({ name: "AllowErrorInputs", stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONS }, (assets) => {
        if (!assets["functions.json"]) return;
        const json = withErrorInputs(JSON.parse(assets["functions.json"].source().toString()));
        compilation.updateAsset("functions.json", new webpack.sources.RawSource(JSON.stringify(json, null, 2)));
      });
    });
  }
}

/**
 * Hidden source maps: webpack writes them without the sourceMappingURL comment; this takes them
 * out of the output, so that publishing dist/ publishes no map, and writes them to `dir`.
 */
class SourceMapsOutside {
  constructor(dir) {
    this.dir = dir;
  }
  apply(compiler) {
    const maps = new Map();
    compiler.hooks.thisCompilation.tap("SourceMapsOutside", (compilation) => {
      compilation.hooks.processAssets.tap({ name: "SourceMapsOutside", stage: webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT }, (assets) => {
        for (const name of Object.keys(assets)) {
          if (!name.endsWith(".map")) continue;
          maps.set(name, assets[name].source());
          compilation.deleteAsset(name);
        }
      });
    });
    compiler.hooks.afterEmit.tap("SourceMapsOutside", () => {
      if (maps.size === 0) return;
      fs.rmSync(this.dir, { recursive: true, force: true });
      for (const [name, source] of maps) {
        const file = path.join(this.dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, source);
      }
      maps.clear();
    });
  }
}

/** Prints the size of every shipped file (and gzipped, as a server would send it) after the build. */
class ReportSizes {
  apply(compiler) {
    const sizes = new Map();
    // measured on the final assets, after every other step (source maps already taken out): an
    // unchanged file that webpack does not rewrite is reported too
    compiler.hooks.thisCompilation.tap("ReportSizes", (compilation) => {
      compilation.hooks.processAssets.tap({ name: "ReportSizes", stage: Infinity }, (assets) => {
        sizes.clear();
        for (const [name, asset] of Object.entries(assets)) {
          const source = asset.source();
          const bytes = Buffer.isBuffer(source) ? source : Buffer.from(source);
          sizes.set(name, [bytes.length, zlib.gzipSync(bytes, { level: 9 }).length]);
        }
      });
    });
    compiler.hooks.done.tap("ReportSizes", (stats) => {
      if (stats.hasErrors() || sizes.size === 0) return;
      const rows = [...sizes].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, [bytes, gzip]]) => [name, bytes, gzip]);
      const total = rows.reduce((t, r) => [t[0], t[1] + r[1], t[2] + r[2]], ["total", 0, 0]);
      const width = Math.max(...rows.map((r) => r[0].length), 5);
      const line = (r) => `  ${r[0].padEnd(width)}  ${String(r[1]).padStart(9)} B  ${String(r[2]).padStart(9)} B gzip`;
      console.log(`Shipped files (${stats.compilation.outputOptions.path}):\n${[...rows, total].map(line).join("\n")}`);
      sizes.clear();
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
    // production: maps without the sourceMappingURL comment, moved out of dist/ (SourceMapsOutside)
    devtool: dev ? "source-map" : "hidden-source-map",
    target: ["web", "es2020"],
    entry: {
      functions: "./src/functions/entry.ts",
      taskpane: "./src/taskpane/index.tsx",
    },
    output: {
      path: path.resolve(__dirname, "dist"),
      // functions.js is named in the manifest: no hash in entry names
      filename: "[name].js",
      chunkFilename: "[name].[contenthash:8].js",
      // chunks are found next to the page (or the worker's script), wherever dist/ is published
      publicPath: "",
      clean: true,
    },
    optimization: {
      // one runtime for both entries of the page: one copy of each module, one fitting worker
      runtimeChunk: "single",
      splitChunks: {
        cacheGroups: {
          default: false,
          defaultVendors: false,
          // everything two of the three (functions, task pane, worker) use: the engine, the
          // report tables, the worker protocol and its jobs (which also run in the page when no
          // worker can start); React and Fluent UI stay in taskpane.js
          engine: {
            name: "engine",
            chunks: "all",
            minChunks: 2,
            enforce: true,
          },
        },
      },
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
      new AllowErrorInputs(),
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
      ...(dev ? [] : [new SourceMapsOutside(process.env.SOURCEMAP_DIR || path.join(__dirname, "build", "sourcemaps"))]),
      new ReportSizes(),
    ],
    performance: {
      hints: dev ? false : "warning",
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
