// js/providers.js placeholder placeholder placeholder placeholder placeholder
