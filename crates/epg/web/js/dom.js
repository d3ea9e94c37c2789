// js/dom.js placeholder placeholder placeholder placeholder placeholder
