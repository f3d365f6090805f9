/** Name of this package; the package is filled by its own issue. */
export const PACKAGE_NAME = "@gmeta/collectives";
