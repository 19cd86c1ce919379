// electron-builder afterPack hook: flips Electron's fuses in the packaged binary so the shipped
// app cannot be turned into a general Node runtime or a debugging target, and only runs the
// integrity-checked app.asar. See https://www.electronjs.org/docs/latest/tutorial/fuses
/** The fuse settings Vantage ships with (exported for the test that checks the packaged binary). */
function fuseConfig(FuseVersion, FuseV1Options) {
  return {
    version: FuseVersion.V1,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    // The renderer is served from our own vantage-app:// scheme, so file:// needs nothing extra.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

async function afterPack(context) {
  const path = await import('node:path');
  let fuses;
  try {
    fuses = await import('@electron/fuses');
  } catch {
    // Refuse to ship an unhardened binary silently.
    throw new Error('electron-fuses: @electron/fuses is not installed; cannot harden the packaged Electron binary');
  }
  const { flipFuses, FuseVersion, FuseV1Options } = fuses;
  const name = context.packager.executableName ?? context.packager.appInfo.productFilename;
  const binary = path.join(context.appOutDir, name);
  await flipFuses(binary, fuseConfig(FuseVersion, FuseV1Options));
  console.log(`electron-fuses: hardened ${binary}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuseConfig = fuseConfig;
