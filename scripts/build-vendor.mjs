// Copies the distributed files of the front-end packages into static/vendor/, where Django's
// staticfiles (and whitenoise in production) serve them. Nothing is fetched from a CDN.
//
// Bootstrap's and Swagger UI's CSS draw the select arrows, checkbox ticks, radio dots, switches, validation icons, the
// close button and the navbar toggler with SVG images inlined as data: URIs. The site's
// Content-Security-Policy allows images from the site itself only (img-src 'self', helpdesk/settings.py),
// so a browser refuses those. Each one is written out here as an .svg file beside the stylesheet and the
// stylesheet points at it: the same pictures, served by the site, with no data: exception in the policy.
// The build fails if a data: URI is left in any stylesheet it copies.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
const files = [
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  // The API's reference page (/api/docs/): Swagger UI, started by static/js/api-docs.js.
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist/LICENSE", "swagger-ui/LICENSE"],
];
// Stylesheets whose inline images become files: [package file, target, folder of the images (relative)].
const stylesheets = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css", "img"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css", "img"],
];

rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of files) {
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target, { recursive: true });
}

// url("data:image/svg+xml,…"), url('…') or url(…) as text; url(data:image/png;base64,…) and the like as bytes.
const inlineSvg =
  /url\(\s*(?:"data:image\/svg\+xml(?:;charset=utf-8)?,((?:[^"\\]|\\.)*)"|'data:image\/svg\+xml(?:;charset=utf-8)?,((?:[^'\\]|\\.)*)'|data:image\/svg\+xml(?:;charset=utf-8)?,([^)]*))\s*\)/g;
const inlineBase64 = /url\(\s*["']?data:image\/(png|jpeg|gif);base64,([A-Za-z0-9+/=]+)["']?\s*\)/g;
for (const [from, to, imageDir] of stylesheets) {
  const target = join(vendor, to);
  mkdirSync(join(dirname(target), imageDir), { recursive: true });
  const css = readFileSync(join(root, "node_modules", from), "utf8")
    .replace(inlineSvg, (_match, doubleQuoted, singleQuoted, bare) => {
      // A quoted URI may escape its own quotes (Swagger UI's: \"), which the file must not keep.
      const svg = decodeURIComponent(doubleQuoted ?? singleQuoted ?? bare).replace(/\\(["'])/g, "$1");
      const name = `${createHash("sha256").update(svg).digest("hex").slice(0, 12)}.svg`;
      writeFileSync(join(dirname(target), imageDir, name), `${svg}\n`);
      return `url("${imageDir}/${name}")`;
    })
    .replace(inlineBase64, (_match, type, data) => {
      const bytes = Buffer.from(data, "base64");
      const name = `${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}.${type === "jpeg" ? "jpg" : type}`;
      writeFileSync(join(dirname(target), imageDir, name), bytes);
      return `url("${imageDir}/${name}")`;
    })
    // The package's source map describes the stylesheet before the rewrite; it is not shipped.
    .replace(/\n?\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "\n");
  writeFileSync(target, css);
}

for (const path of readdirSync(vendor, { recursive: true })) {
  if (String(path).endsWith(".css") && /url\(\s*["']?\s*data:/i.test(readFileSync(join(vendor, String(path)), "utf8"))) {
    console.error(`${path} still loads something from a data: URI, which the Content-Security-Policy refuses.`);
    process.exit(1);
  }
}
console.log(`front-end assets copied to ${vendor}`);
