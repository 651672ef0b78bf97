// web/lib/html.js - the one place the UI imports preact and htm from: html``
// templates, render, and the hooks every component uses.
import { h, render, Fragment } from 'preact';
import htm from 'htm';

export { render, Fragment };
export { useState, useEffect, useRef, useMemo, useCallback, useLayoutEffect } from 'preact/hooks';
export const html = htm.bind(h);
