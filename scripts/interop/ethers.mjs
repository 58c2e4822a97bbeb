// Loads the project-local ethers (tools/node/node_modules, installed by scripts/setup.sh).
// DECC_SRC overrides the source root (the integration tests set it).
import { createRequire } from "module";
import path from "path";
import { fileURLToPath } from "url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = process.env.DECC_SRC || path.resolve(here, "..", "..");
const require = createRequire(path.join(root, "tools", "node", "package.json"));

let mod;
try {
	mod = require("ethers");
} catch (e) {
	console.error(`ethers not found under ${root}/tools/node/node_modules (run scripts/setup.sh): ${e.message}`);
	process.exit(2);
}
export const ethers = mod;
export const ethersVersion = mod.version;
