-- 外字 (gaiji): characters the ward needs outside the MJ set, registered by an administrator
-- (docs/domain.md, "Characters"). A registered private-use code point is accepted in names; each
-- recipient's contract says whether it receives the 外字 or its substitute (the nearest MJ文字).
-- depends: 0005_commands

CREATE TABLE registry.gaiji (
    code_point     integer PRIMARY KEY CHECK (
                       code_point BETWEEN 57344 AND 63743          -- U+E000..U+F8FF (BMP PUA)
                    OR code_point BETWEEN 983040 AND 1048573       -- U+F0000..U+FFFFD (plane 15)
                    OR code_point BETWEEN 1048576 AND 1114109      -- U+100000..U+10FFFD (plane 16)
                   ),
    glyph_png      bytea NOT NULL CHECK (octet_length(glyph_png) BETWEEN 1 AND 262144),
    glyph_width    integer NOT NULL CHECK (glyph_width BETWEEN 16 AND 1024),
    glyph_height   integer NOT NULL CHECK (glyph_height BETWEEN 16 AND 1024),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    substitute     text NOT NULL CHECK (length(substitute) BETWEEN 1 AND 2),  -- MJ文字 (+ IVS)
    registered_by  text NOT NULL,
    registered_at  timestamptz NOT NULL
);

-- Registered once, never rewritten: a name holding the 外字 must keep meaning the same glyph.
GRANT SELECT, INSERT ON registry.gaiji TO jumin_registry;
