// js/guide.js placeholder placeholder placeholder placeholder placeholder
