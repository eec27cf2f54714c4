// Types for the devDependency alias `express4` (express@4 installed under another name), with
// which the tests build Express 4 apps in-process. Express 5's types cover what the tests use.

declare module 'express4' {
  import express = require('express');
  export = express;
}
