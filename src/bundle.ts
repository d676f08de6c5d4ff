// The self-contained module served at /embed/v1/leu-elements.js: the whole library, every element registered.
import './define.ts';

export * from './index.ts';
