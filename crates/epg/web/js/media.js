// js/media.js placeholder placeholder placeholder placeholder placeholder
