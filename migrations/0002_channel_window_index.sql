-- Now/next reads (channel_id, start, stop) for every channel; with stop in the index it
-- decides which programmes are on air without reading the rows. Same name, so that query
-- plans and the docs that name it stay true.
DROP INDEX programmes_channel_start;
CREATE INDEX programmes_channel_start ON programmes (channel_id, start, stop);
