// js/channels.js placeholder placeholder placeholder placeholder placeholder
