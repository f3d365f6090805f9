"use strict";
// A CommonJS program that runs the gmeta command through the library (require("@gmeta/cli")).
require("@gmeta/cli")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(1);
  });
