/*
 * check_html2text - mugai_html2text: rendering rules (named HTML -> text
 * cases), chunked feeding, malformed HTML, limits, UTF-8 at chunk edges
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "text/html2text.h"
#include "testutil.h"

struct render_case {
	const char *name;
	enum mugai_url_mode mode;
	const char *html;
	const char *text;
};

#define LONG_WORDS "this cell holds a long sentence that no grid could show " \
    "beside another column without making every line far too wide"

#define HID "\n---- 隠し文字（HTMLでは表示されない部分） / Hidden text " \
	"(not shown by the HTML) ----\n"

/* Above the text the second reading found and the rendering lost. */
#define SEC "\n---- 崩れたHTMLを読み直して見つかった文 / Text found by a " \
	"second reading of malformed HTML ----\n"

static const struct render_case cases[] = {
	/* text, whitespace, entities */
	{ "empty_input", MUGAI_URL_KEEP, "", "" },
	{ "whitespace_only", MUGAI_URL_KEEP, " \n\t <p> </p>&nbsp;\n", "" },
	{ "bare_text", MUGAI_URL_KEEP, "plain text", "plain text\n" },
	/* A '<' before a non-ASCII letter is text, fed whole or in chunks. */
	{ "lt_before_non_ascii_is_text", MUGAI_URL_KEEP,
	    "<p>a <\xd1\x8a b</p><p>after x></p>", "a <\xd1\x8a b\n\nafter x>\n" },
	/* t/data/regress/html2text/chunk-split.bin, minimized: libxml2's
	 * push parser let "=" out of the unclosed script in small chunks */
	{ "unclosed_script_at_any_chunk_size", MUGAI_URL_KEEP,
	    "one ><script></></p>=after", "one >\n" },
	{ "text_directly_in_body", MUGAI_URL_KEEP,
	    "<html><body>Hello <b>world</b></body></html>", "Hello world\n" },
	{ "whitespace_collapsed", MUGAI_URL_KEEP,
	    "<p>  a  \t\n b\r\n c  </p>", "a b c\n" },
	{ "nbsp_runs_are_kept", MUGAI_URL_KEEP,
	    "<p>a&nbsp;b&nbsp;&nbsp;c\xc2\xa0" "d &nbsp; e</p>",
	    "a b  c d   e\n" },
	{ "nbsp_indent_before_a_word", MUGAI_URL_KEEP,
	    "<p>&nbsp;&nbsp;x</p><p>&nbsp;</p><p>y</p>", "  x\n\ny\n" },
	{ "entities_decoded", MUGAI_URL_KEEP,
	    "<p>&lt;b&gt; &amp; &quot;q&quot; &#x65E5;&#26412; &copy;</p>",
	    "<b> & \"q\" \xe6\x97\xa5\xe6\x9c\xac \xc2\xa9\n" },
	{ "inline_elements_join", MUGAI_URL_KEEP,
	    "<p><b>bo</b><i>ld</i> <span>sp</span><font color=red>an</font>"
	    "<u>!</u></p>", "bold span!\n" },
	/* blocks */
	{ "paragraphs_blank_line", MUGAI_URL_KEEP, "<p>one</p><p>two</p>",
	    "one\n\ntwo\n" },
	{ "headings_blank_lines", MUGAI_URL_KEEP,
	    "<h1>Title</h1>text<h2>Sub</h2>more<h6>six</h6>",
	    "Title\n\ntext\n\nSub\n\nmore\n\nsix\n" },
	{ "divs_are_lines", MUGAI_URL_KEEP,
	    "<div>a</div><div>b</div><section>c</section><center>d</center>"
	    "<address>e</address><article><header>f</header>"
	    "<footer>g</footer></article>", "a\nb\nc\nd\ne\nf\ng\n" },
	{ "br_breaks_lines", MUGAI_URL_KEEP, "a<br>b<br/>c<BR>d",
	    "a\nb\nc\nd\n" },
	{ "br_runs_one_blank_line", MUGAI_URL_KEEP,
	    "<br><br>a<br><br><br><br>b<br><br>", "a\n\nb\n" },
	{ "empty_blocks_leave_nothing", MUGAI_URL_KEEP,
	    "<p></p><div> </div><p>x</p><p>&nbsp;</p><p></p><h1></h1><p>y</p>",
	    "x\n\ny\n" },
	{ "no_trailing_spaces", MUGAI_URL_KEEP,
	    "<p>a </p><div>b&nbsp;<br>c\t</div>", "a\n\nb\nc\n" },
	{ "hr_is_a_rule", MUGAI_URL_KEEP, "a<hr>b",
	    "a\n\n--------------------\n\nb\n" },
	{ "dl_terms_and_definitions", MUGAI_URL_KEEP,
	    "<dl><dt>Term</dt><dd>Def</dd></dl>after",
	    "Term\n  Def\n\nafter\n" },
	{ "blockquote_prefixed", MUGAI_URL_KEEP,
	    "<p>reply</p><blockquote>quoted<p>second</p>"
	    "<blockquote>inner</blockquote></blockquote>after",
	    "reply\n\n> quoted\n>\n> second\n>\n> > inner\n\nafter\n" },
	{ "pre_keeps_lines", MUGAI_URL_KEEP,
	    "<p>x</p><pre>  a  b\n\n\n\n  c \n</pre>y",
	    "x\n\n  a  b\n\n  c\n\ny\n" },
	{ "pre_crlf_and_cr", MUGAI_URL_KEEP, "<pre>a\r\nb\rc\td</pre>",
	    "a\nb\nc\td\n" },
	/* lists */
	{ "ul_items", MUGAI_URL_KEEP, "<ul><li>one<li>two</ul>",
	    "- one\n- two\n" },
	{ "ol_start_and_value", MUGAI_URL_KEEP,
	    "<ol start=\"3\"><li>a<li>b<li value=\"10\">c<li>d</ol>",
	    "3. a\n4. b\n10. c\n11. d\n" },
	{ "ol_bad_start_counts_from_1", MUGAI_URL_KEEP,
	    "<ol start=\"x\"><li>a<li>b</ol>", "1. a\n2. b\n" },
	{ "nested_lists_indented", MUGAI_URL_KEEP,
	    "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li>"
	    "</ul>", "- a\n  - b\n    1. c\n- d\n" },
	{ "list_directly_in_list", MUGAI_URL_KEEP,
	    "<ul><li>a</li><ul><li>b</li></ul><li>c</li></ul>",
	    "- a\n  - b\n- c\n" },
	{ "list_blank_lines_around", MUGAI_URL_KEEP,
	    "<p>before</p><ul><li>x</li><li></li></ul><p>after</p>",
	    "before\n\n- x\n\nafter\n" },
	/* tables */
	{ "table_rows_and_cells", MUGAI_URL_KEEP,
	    "<table><tr><td>a</td><td>b</td></tr><tr><td></td><td> </td></tr>"
	    "<tr><th>c</th><td>d</td></tr></table>", "a | b\nc | d\n" },
	{ "table_empty_cells_skipped", MUGAI_URL_KEEP,
	    "<table><tr><td>a</td><td></td><td><img src=x></td><td>c</td>"
	    "</tr></table>", "a | c\n" },
	{ "table_cells_with_blocks", MUGAI_URL_KEEP,
	    "<table><tr><td><p>one</p></td><td><p>two</p></td></tr></table>",
	    "one | two\n" },
	{ "nested_tables", MUGAI_URL_KEEP,
	    "<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table>"
	    "</td><td>d</td></tr></table>", "a\nb | c\nd\n" },
	{ "table_caption", MUGAI_URL_KEEP,
	    "<table><caption>Cap</caption><tr><td>x</td><td>y</td></tr>"
	    "</table>", "Cap\nx | y\n" },
	/* tables as grids (columns by display width) */
	{ "table_grid_japanese_columns", MUGAI_URL_KEEP,
	    "<table><tr><th>項目</th><th>日時</th></tr>"
	    "<tr><td>説明会</td><td>4月1日 10:00</td></tr>"
	    "<tr><td>Q&amp;A</td><td>随時</td></tr></table>",
	    "項目   | 日時\n説明会 | 4月1日 10:00\nQ&A    | 随時\n" },
	{ "table_grid_br_stays_in_cell", MUGAI_URL_KEEP,
	    "<table><tr><td>住所</td><td>東京都<br>千代田区</td></tr>"
	    "<tr><td>電話</td><td>03-1234-5678</td></tr></table>",
	    "住所 | 東京都\n     | 千代田区\n電話 | 03-1234-5678\n" },
	{ "table_grid_colspan", MUGAI_URL_KEEP,
	    "<table><tr><td colspan=2>合計金額のお知らせ</td></tr>"
	    "<tr><td>a</td><td>b</td></tr></table>",
	    "合計金額のお知らせ\na | b\n" },
	{ "table_grid_rowspan", MUGAI_URL_KEEP,
	    "<table><tr><td rowspan=2>A</td><td>1</td></tr>"
	    "<tr><td>2</td></tr><tr><td>B</td><td>3</td></tr></table>",
	    "A | 1\n  | 2\nB | 3\n" },
	{ "table_too_wide_is_a_layout", MUGAI_URL_KEEP,
	    "<table><tr><td>short</td><td>" LONG_WORDS "</td></tr>"
	    "<tr><td>x</td><td>y</td></tr></table>",
	    "short | " LONG_WORDS "\nx | y\n" },
	/* hidden text is not the message: shown apart, after a heading */
	{ "hidden_preheader_dropped", MUGAI_URL_KEEP,
	    "<div style=\"display:none;max-height:0;overflow:hidden\">"
	    "salt words</div><p>本文</p>", "本文\n" HID "salt words\n" },
	{ "hidden_ways", MUGAI_URL_KEEP,
	    "<p>a<span style=\"visibility: hidden\">x1</span>"
	    "<span style=\"font-size:0px\">x2</span>"
	    "<span style=\"FONT-SIZE:1px\">x3</span>"
	    "<span style=\"opacity:0\">x4</span>"
	    "<span style=\"mso-hide:all\">x5</span>"
	    "<span hidden>x6</span>"
	    "<font color=\"#ffffff\">x7</font>"
	    "<span style=\"color:#fff\">x8</span>"
	    "<span style=\"width:0;overflow:hidden\">x9</span>b</p>",
	    "ab\n" HID "x1\nx2\nx3\nx4\nx5\nx6\nx7\nx8\nx9\n" },
	{ "hidden_same_colour_as_background", MUGAI_URL_KEEP,
	    "<div style=\"background:#000\"><span style=\"color:black\">x"
	    "</span><span style=\"color:#fff\">white on black</span></div>",
	    "white on black\n" HID "x\n" },
	{ "hidden_rgb_colour", MUGAI_URL_KEEP,
	    "<p>a<span style=\"color:rgb(255, 255, 255)\">x1</span>"
	    "<span style=\"color:rgb(255,255,255)\">x2</span>"
	    "<span style=\"color:rgb(255,255,256)\">y</span>"
	    "<span style=\"color:rgb(1,2)\">z</span>b</p>",
	    "ayzb\n" HID "x1\nx2\n" },
	{ "white_text_kept_with_style_sheet", MUGAI_URL_KEEP,
	    "<style>.d{background:#000}</style><div class=d>"
	    "<span style=\"color:#fff\">shown</span></div>", "shown\n" },
	{ "white_text_on_background_image_kept", MUGAI_URL_KEEP,
	    "<td background=\"bg.jpg\"><font color=white>a</font></td>"
	    "<div style=\"background:url(x.png)\"><span style=\"color:#fff\">"
	    "b</span></div>", "a\nb\n" },
	/* links: tel, relative, base, IDN, decoded paths */
	{ "link_tel_shown", MUGAI_URL_KEEP,
	    "<a href=\"tel:0120-123-456\">フリーダイヤル</a> "
	    "<a href=\"tel:0312345678\">03-1234-5678</a>",
	    "フリーダイヤル <tel:0120-123-456> 03-1234-5678\n" },
	{ "link_tel_shown_when_urls_removed", MUGAI_URL_REMOVE,
	    "<a href=\"tel:0120123456\">電話</a>", "電話 <tel:0120123456>\n" },
	{ "link_relative_shown", MUGAI_URL_KEEP,
	    "<a href=\"/news/1.html\">お知らせ</a>",
	    "お知らせ </news/1.html>\n" },
	{ "link_relative_resolved_by_base", MUGAI_URL_KEEP,
	    "<head><base href=\"https://www.city.example.lg.jp/a/\"></head>"
	    "<a href=\"../news/1.html\">お知らせ</a>",
	    "お知らせ <https://www.city.example.lg.jp/news/1.html>\n" },
	{ "link_idn_host_in_unicode", MUGAI_URL_KEEP,
	    "<a href=\"https://xn--wgv71a.jp/\">市役所</a>",
	    "市役所 <https://日本.jp/> (https://xn--wgv71a.jp/)\n" },
	{ "link_mixed_script_host_with_punycode", MUGAI_URL_DEFANG,
	    "<a href=\"https://xn--pple-43d.com/\">Apple</a>",
	    "Apple <hxxps://аpple[.]com/> (xn: xn--pple-43d[.]com)\n" },
	{ "link_percent_encoded_path_decoded", MUGAI_URL_DEFANG,
	    "<a href=\"https://e.jp/%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B?a=%2F\">x</a>",
	    "x <hxxps://e[.]jp/お知らせ?a=%2F>\n" },
	{ "link_percent_encoded_controls_stay", MUGAI_URL_KEEP,
	    "<a href=\"https://e.jp/%E2%80%AEx\">x</a>",
	    "x <https://e.jp/%E2%80%AEx>\n" },
	/* links */
	{ "link_keep", MUGAI_URL_KEEP,
	    "see <a href=\"https://example.jp/path?q=1&amp;r=2\">the site</a>.",
	    "see the site <https://example.jp/path?q=1&r=2>.\n" },
	{ "link_text_is_url_printed_once", MUGAI_URL_KEEP,
	    "<a href=\"https://example.jp/\">https://example.jp</a>",
	    "https://example.jp\n" },
	{ "link_defang", MUGAI_URL_DEFANG,
	    "<a href=\"https://www.example.jp/a.b?x=1\">site</a>",
	    "site <hxxps://www[.]example[.]jp/a.b?x=1>\n" },
	{ "link_defang_http_and_ftp", MUGAI_URL_DEFANG,
	    "<a href=\"HTTP://a.b:80/\">x</a> "
	    "<a href=\"ftp://f.jp/f.txt\">y</a>",
	    "x <hxxp://a[.]b:80/> y <fxp://f[.]jp/f.txt>\n" },
	{ "link_defang_text_is_url", MUGAI_URL_DEFANG,
	    "go <a href=\"http://example.jp\">http://example.jp</a> now",
	    "go hxxp://example[.]jp now\n" },
	{ "link_remove", MUGAI_URL_REMOVE,
	    "<a href=\"https://example.jp/\">site</a> end", "site end\n" },
	{ "link_remove_text_is_url", MUGAI_URL_REMOVE,
	    "<a href=\"https://example.jp/\">https://example.jp/</a>",
	    "https://example.jp/\n" },
	{ "mailto_keep", MUGAI_URL_KEEP,
	    "<a href=\"mailto:info@example.jp\">mail us</a>",
	    "mail us <mailto:info@example.jp>\n" },
	{ "mailto_text_is_address", MUGAI_URL_KEEP,
	    "<a href=\"mailto:info@example.jp?subject=x\">info@example.jp</a>",
	    "info@example.jp\n" },
	{ "mailto_defang", MUGAI_URL_DEFANG,
	    "<a href=\"mailto:info@example.jp?subject=x\">mail</a>",
	    "mail <info[@]example[.]jp>\n" },
	{ "link_other_schemes_text_only", MUGAI_URL_KEEP,
	    "<a href=\"javascript:alert(1)\">a</a> "
	    "<a href=\" java&#9;script:x\">b</a> "
	    "<a href=\"data:text/html,x\">c</a> <a href=\"vbscript:x\">d</a> "
	    "<a href=\"file:///etc/passwd\">e</a> <a href=\"cid:x@y\">f</a> "
	    "<a href=\"#top\">g</a> <a href=\"\">h</a> <a href>i</a>",
	    "a b c d e f g h i\n" },
	{ "link_url_cannot_carry_markup", MUGAI_URL_KEEP,
	    "<a href=\"http://x.jp/a b<script>&quot;\n\">x</a>",
	    "x <http://x.jp/a%20b%3Cscript%3E%22>\n" },
	{ "link_url_non_ascii_encoded", MUGAI_URL_KEEP,
	    "<a href=\"https://x.jp/\xe6\x97\xa5\">x</a>",
	    "x <https://x.jp/\xe6\x97\xa5>\n" },
	{ "link_without_href", MUGAI_URL_KEEP,
	    "<a name=\"top\">anchor text</a>", "anchor text\n" },
	{ "link_without_text", MUGAI_URL_KEEP,
	    "<a href=\"https://e.jp/\"></a>x<a href=\"https://e.jp/\"> </a>",
	    "x\n" },
	{ "link_in_list_item_text_is_url", MUGAI_URL_DEFANG,
	    "<ul><li><a href=\"http://a.jp/\">http://a.jp/</a></li></ul>",
	    "- hxxp://a[.]jp/\n" },
	{ "link_image_only", MUGAI_URL_KEEP,
	    "<a href=\"https://e.jp/\"><img src=\"https://e.jp/i.png\" "
	    "alt=\"Logo\"></a>", "[image: Logo] <https://e.jp/>\n" },
	/* images */
	{ "image_alt_or_nothing", MUGAI_URL_KEEP,
	    "<p>a <img src=\"http://t/x.gif\" alt=\"logo \n mark\"> b "
	    "<img src=\"y.png\"> <img alt=\"\"><img alt=\" \">c</p>",
	    "a [image: logo mark] b c\n" },
	/* issue 15: an inline image of the mail, removed, leaves its name */
	{ "cid_image_leaves_a_marker", MUGAI_URL_KEEP,
	    "<p>a <img src=\"cid:image001.png@01D2.AB\"> b "
	    "<img src=\"CID:logo\"> <img src=\"cid:\"> "
	    "<img src=\"cid:x@y\" alt=\"Map\">c</p>",
	    "a [画像: image001.png] b [画像: logo] [image: Map]c\n" },
	/* dropped */
	{ "dropped_with_content", MUGAI_URL_KEEP,
	    "<head><title>T</title><style>p{}</style></head><body>x"
	    "<script>s()</script><template>t</template><noscript>n</noscript>"
	    "<object>o</object><embed src=e><applet>ap</applet>"
	    "<iframe>if</iframe><svg><text>sv</text></svg><math><mi>m</mi>"
	    "</math><xml>xm</xml>y</body>", "xy\n" },
	{ "title_without_head", MUGAI_URL_KEEP,
	    "<title>Secret title</title>Body text", "Body text\n" },
	{ "script_close_trick", MUGAI_URL_KEEP,
	    "<p>a</p><script>var s = \"</scr\" + \"ipt>\"; document.write("
	    "'<p>evil</p>');</script><p>b</p>", "a\n\nb\n" },
	{ "uppercase_script", MUGAI_URL_KEEP,
	    "<P>a<SCRIPT type=text/javascript>alert('<b>x</b>')</SCRIPT>b</P>",
	    "ab\n" },
	{ "comment_with_script", MUGAI_URL_KEEP,
	    "a<!-- <script>alert(1)</script> -->b<!--[if mso]><p>m</p>"
	    "<![endif]-->c", "abc\n" },
	{ "style_with_markup", MUGAI_URL_KEEP,
	    "<style>/* </p> */ body{background:url(x)}</style>text", "text\n" },
	/* forms */
	{ "form_fields", MUGAI_URL_KEEP,
	    "<form>Name: <input type=text value=secret> <input type=hidden "
	    "value=tok><input type=submit value=\"Send  now\"> "
	    "<textarea>line1\nline2</textarea><select><option>A</option>"
	    "<option>B</select><button>Go</button></form>",
	    "Name: [Send now]\nline1\nline2\nA\nB\nGo\n" },
	{ "input_image_alt", MUGAI_URL_KEEP,
	    "<input type=image src=x alt=\"Submit form\">",
	    "[image: Submit form]\n" },
	/* Japanese */
	{ "japanese_intact", MUGAI_URL_KEEP,
	    "<p>\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf"
	    "\xe3\x80\x81\xe4\xb8\x96\xe7\x95\x8c\xe3\x80\x82</p>",
	    "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf"
	    "\xe3\x80\x81\xe4\xb8\x96\xe7\x95\x8c\xe3\x80\x82\n" },
	{ "japanese_source_newline_joins", MUGAI_URL_KEEP,
	    "<p>\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\n  "
	    "\xe6\x96\x87\xe7\xab\xa0 English\nwords \xe6\x96\x87</p>",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
	    "\xe6\x96\x87\xe7\xab\xa0 English words \xe6\x96\x87\n" },
	{ "meta_charset_ignored", MUGAI_URL_KEEP,
	    "<meta charset=\"shift_jis\"><meta http-equiv=\"Content-Type\" "
	    "content=\"text/html; charset=iso-2022-jp\"><p>\xe6\x97\xa5\xe6\x9c"
	    "\xac\xe8\xaa\x9e</p>", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n" },
	{ "invalid_utf8_replaced", MUGAI_URL_KEEP, "<p>a\xff\xe3\x81z</p>",
	    "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\n" },
	/* malformed */
	{ "unclosed_tags", MUGAI_URL_KEEP,
	    "<div><p>one<p>two<div>three<span>four<b>five",
	    "one\n\ntwo\n\nthreefourfive\n" },
	{ "stray_end_tags", MUGAI_URL_KEEP, "a</td></tr></table>b</p>c</li>",
	    "ab\n\nc\n" },
	{ "text_after_html_end", MUGAI_URL_KEEP,
	    "<html><body><p>a</p></body></html>\nfooter text",
	    "a\n\nfooter text\n" },
	{ "broken_tag_at_end", MUGAI_URL_KEEP, "text <b", "text\n" },
	{ "lone_lt_is_text", MUGAI_URL_KEEP, "<p>1 < 2 and 3 > 2</p>",
	    "1 < 2 and 3 > 2\n" },
	/* Input ending inside a token: the last piece goes to libxml2 with
	 * terminate set; these are what the two-call ending gave. */
	{ "ends_in_attribute", MUGAI_URL_KEEP, "a <a href=\"x", "a\n" },
	/* a comment never closed hides nothing a second reading finds */
	{ "ends_in_comment", MUGAI_URL_KEEP, "<p>one</p><!-- open comment",
	    "one\n" SEC "open comment\n" },
	{ "ends_in_script", MUGAI_URL_KEEP, "<p>t</p><script>var a = 1;",
	    "t\n" },
	{ "ends_in_style", MUGAI_URL_KEEP, "<p>a</p><style>p{", "a\n" },
	{ "ends_in_entity", MUGAI_URL_KEEP, "<p>x &amp", "x &amp\n" },
	{ "ends_in_char_ref", MUGAI_URL_KEEP, "<p>x &#x65", "x e\n" },
	{ "ends_in_ampersand", MUGAI_URL_KEEP, "<p>a</p>&", "a\n" },
	{ "ends_in_lt", MUGAI_URL_KEEP, "text <", "text <\n" },
	{ "ends_in_end_tag", MUGAI_URL_KEEP, "x </p", "x\n" },
	{ "ends_in_doctype", MUGAI_URL_KEEP, "<!DOCTYPE html", "" },
	{ "ends_in_pi", MUGAI_URL_KEEP, "<p>a</p><?pi", "a\n\npi\n" },
	{ "ends_in_cdata", MUGAI_URL_KEEP, "<p>a</p><![CDATA[x",
	    "a\n\n<![CDATA[x\n" },
	{ "ends_in_title", MUGAI_URL_KEEP, "<title>t", "" },
	/* markup libxml2 recovers badly: the sentences after it arrive,
	 * script and style contents never */
	{ "svg_onload_unclosed", MUGAI_URL_KEEP,
	    "<p>before</p><svg/onload=alert(1)><p>after svg</p>",
	    "before\n" SEC "after svg\n" },
	{ "svg_unclosed_script_inside", MUGAI_URL_KEEP,
	    "<p>a</p><svg><script>alert(1)</script><p>after</p>",
	    "a\n" SEC "after\n" },
	{ "nested_script_tags", MUGAI_URL_KEEP,
	    "<p>a</p><script>x=1<script>y=2</script>z</script><p>after</p>",
	    "a\n\nz\n\nafter\n" },
	{ "comment_never_closed", MUGAI_URL_KEEP,
	    "<p>a</p><!-- note <script>evil()</script><p>after</p>",
	    "a\n" SEC "note\nafter\n" },
	{ "abrupt_empty_comment", MUGAI_URL_KEEP,
	    "<p>a</p><!-->shown<p>after</p><!-- c -->",
	    "a\n" SEC "shown\nafter\n" },
	{ "style_never_closed", MUGAI_URL_KEEP,
	    "<p>a</p><style>p { color: red }<p>after style</p>",
	    "a\n" SEC "after style\n" },
	{ "title_never_closed", MUGAI_URL_KEEP,
	    "<title>Subject <p>本文です。</p>",
	    "---- 崩れたHTMLを読み直して見つかった文 / Text found by a "
	    "second reading of malformed HTML ----\n本文です。\n" },
	{ "iframe_never_closed", MUGAI_URL_KEEP,
	    "<p>a</p><iframe src=x><p>after</p>", "a\n" SEC "after\n" },
	{ "script_never_closed_stays_dropped", MUGAI_URL_KEEP,
	    "<p>a</p><script>steal(document.cookie) <p>x</p>", "a\n" },
	{ "bogus_script_end_tag", MUGAI_URL_KEEP,
	    "<p>a</p><script>x=1</script ><script>y=2</script foo=b>"
	    "<p>after</p>", "a\n\nafter\n" },
	{ "textarea_xmp_plaintext", MUGAI_URL_KEEP,
	    "<textarea>ta</textarea><xmp>xm</xmp><p>p</p><plaintext>pt",
	    "ta\n\nxm\n\np\n\npt\n" },
	{ "attribute_quote_never_closed", MUGAI_URL_KEEP,
	    "<p>a</p><b class=\"oops>tail</b><p>after</p>",
	    "a\n" SEC "tail\nafter\n" },
	{ "second_reading_quiet_on_good_html", MUGAI_URL_DEFANG,
	    "<blockquote><pre>line one\nline two</pre></blockquote>"
	    "<table><tr><td>a &amp; b</td><td>c&nbsp;d</td></tr></table>"
	    "<a href=\"http://example.com/\">http://example.com/</a>"
	    "<div style=\"display:none\">hid</div><noscript>ns</noscript>",
	    "> line one\n> line two\n\na & b | c d\n"
	    "hxxp://example[.]com/\n" HID "hid\n" },
	{ "ends_after_one_char", MUGAI_URL_KEEP, "<p>x</p>y", "x\n\ny\n" },
	{ "ends_in_open_inline", MUGAI_URL_KEEP, "<p>a<b>b</b", "ab\n" },
	{ "ends_in_pre_cr", MUGAI_URL_KEEP, "<pre>a\r", "a\n" },
};

/* Renders html (NUL-terminated) in chunks of step bytes (0: one call). */
static char *
render(const char *html, gsize len, const struct mugai_html_opts *opts,
    gsize step, enum mugai_err *err)
{
	struct mugai_html2text *h;
	char *text;
	gsize off, n, tlen = 0;

	if (step == 0) {
		text = mugai_html2text(html, len, opts, &tlen, err);
		if (text != NULL)
			ck_assert_uint_eq(tlen, strlen(text));
		return text;
	}
	h = mugai_html2text_new(opts);
	*err = MUGAI_OK;
	for (off = 0; off < len && *err == MUGAI_OK; off += n) {
		n = MIN(step, len - off);
		*err = mugai_html2text_feed(h, html + off, n);
	}
	text = mugai_html2text_finish(h, &tlen, err);
	if (text != NULL)
		ck_assert_uint_eq(tlen, strlen(text));
	mugai_html2text_free(h);
	return text;
}

START_TEST(renders_case)
{
	const struct render_case *c = &cases[_i];
	struct mugai_html_opts opts = { c->mode, 64, 1 << 20, FALSE };
	static const gsize steps[] = { 0, 1, 7, 64 };

	for (gsize s = 0; s < G_N_ELEMENTS(steps); s++) {
		enum mugai_err err = MUGAI_E_IO;
		char *text = render(c->html, strlen(c->html), &opts, steps[s],
		    &err);

		ck_assert_msg(text != NULL, "%s: error %d", c->name, err);
		ck_assert_int_eq(err, MUGAI_OK);
		ck_assert_msg(strcmp(text, c->text) == 0,
		    "%s (chunk %zu):\n got \"%s\"\nwant \"%s\"", c->name,
		    steps[s], text, c->text);
		ck_assert(g_utf8_validate(text, -1, NULL));
		g_free(text);
	}
}
END_TEST

/*
 * Words in Japanese text are found eight bytes at a time: U+00A7 (C2 A7)
 * inside a run keeps it one word, U+00A0 (C2 A0) and a space end it,
 * wherever they fall in the eight.
 */
START_TEST(nbsp_and_c2_in_japanese_runs)
{
	for (guint k = 0; k <= 12; k++)
		for (guint m = 0; m <= 12; m++) {
			GString *html = g_string_new("<p>");
			GString *want = g_string_new(NULL);
			enum mugai_err err = MUGAI_E_IO;
			char *text;

			for (guint i = 0; i < k; i++)
				g_string_append(html, "\xe6\x97\xa5");
			g_string_append(html, "\xc2\xa7");
			for (guint i = 0; i < m; i++)
				g_string_append(html, "\xe3\x81\x82");
			g_string_append(want, html->str + 3);
			g_string_append(html, "\xc2\xa0x\xe3\x81\x82 y</p>");
			g_string_append(want, " x\xe3\x81\x82 y\n");
			text = render(html->str, html->len, NULL, 0, &err);
			ck_assert_int_eq(err, MUGAI_OK);
			ck_assert_str_eq(text, want->str);
			g_free(text);
			g_string_free(html, TRUE);
			g_string_free(want, TRUE);
		}
}
END_TEST

/* Complex documents for the chunking and markup tests. */
static const char *const docs[] = {
	"<!DOCTYPE html><html><head><meta charset=\"iso-8859-1\">"
	"<title>Title</title><style>p{color:red}</style>"
	"<script>var x = \"</scr\"+\"ipt>\"; alert(1);</script></head>\n"
	"<body>\nText directly in body.\n<h1>Heading &amp; more</h1>\n"
	"<p>Para with <b>bold</b> and <a href=\"https://example.jp/p?q=1\">"
	"a link</a>.\nSecond   line&nbsp;&nbsp;here.</p>\n"
	"<ul><li>one</li><li>two<ul><li>sub a</li><li>sub b</li></ul></li>"
	"<li>three</ul>\n<ol start=\"3\"><li>x<li>y</ol>\n<table><tr><td>a"
	"</td><td>b</td></tr><tr><td></td></tr><tr><th>c</th><td>d</td></tr>"
	"</table>\n<pre>  code 1\n    code 2\n\nend</pre>\n<blockquote>q<p>"
	"para</p></blockquote>\n<img src=\"http://t/x.gif\" alt=\"logo\"> "
	"<a href=\"javascript:alert(1)\">click</a> <a href=\"http://x.jp/\">"
	"http://x.jp/</a>\nline<br>break<br><br><br>after\n<!-- <script>"
	"alert(2)</script> -->\n<SCRIPT>document.write(\"<b>no</b>\")"
	"</SCRIPT>\n<noscript>nos</noscript><div>unclosed <span>span\n"
	"<font color=red>font</font></body></html>\nfooter",

	"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
	"charset=shift_jis\"></head><body><div>\xe5\xb8\x82\xe6\xb0\x91\xe3\x81"
	"\xae\xe7\x9a\x86\xe3\x81\x95\xe3\x81\xbe\xe3\x81\xb8</div><p>\xe3\x81"
	"\x8a\xe7\x9f\xa5\xe3\x82\x89\xe3\x81\x9b\xe3\x81\xa7\xe3\x81\x99\xe3"
	"\x80\x82<br>\xe8\xa9\xb3\xe3\x81\x97\xe3\x81\x8f\xe3\x81\xaf<a href="
	"\"https://www.city.example.lg.jp/\xe3\x81\x8a\xe7\x9f\xa5\xe3\x82"
	"\x89\xe3\x81\x9b\">\xe3\x81\x93\xe3\x81\xa1\xe3\x82\x89</a>\xe3\x80"
	"\x82</p><table><tr><td>\xe6\x97\xa5\xe6\x99\x82</td><td>4\xe6\x9c\x88"
	"1\xe6\x97\xa5</td></tr></table><ol><li>\xe4\xb8\x80<li>\xe4\xba\x8c"
	"</ol>\xe3\x80\x80\xe5\x85\xa8\xe8\xa7\x92</body></html>",

	"<table border=0><tr><td><table><tr><td><font face=\"MS Gothic\">"
	"cell one</td><td>cell two</tr><tr><td><div>inner <b>bold<i>both"
	"</b>italic</i></div></table></td></tr><tr><td>outer</td></table>"
	"<p>after<table><tr><td>x</table></p><li>loose item<dd>loose dd"
	"<select><option>o1<option selected>o2</select>&#x1F600;&unknown;"
	"&amp;&lt;script&gt;<xmp><b>raw</b></xmp><plaintext>rest",
};

START_TEST(chunked_equals_whole)
{
	const char *doc = docs[_i];
	struct mugai_html_opts opts = { MUGAI_URL_DEFANG, 100, 1 << 20,
	    FALSE };
	enum mugai_err err;
	char *whole = render(doc, strlen(doc), &opts, 0, &err);
	static const gsize steps[] = { 1, 2, 3, 7, 64, 65536 };

	ck_assert_ptr_nonnull(whole);
	ck_assert_uint_gt(strlen(whole), 10);
	for (gsize s = 0; s < G_N_ELEMENTS(steps); s++) {
		char *text = render(doc, strlen(doc), &opts, steps[s], &err);

		ck_assert_ptr_nonnull(text);
		ck_assert_msg(strcmp(text, whole) == 0,
		    "chunk %zu:\n got \"%s\"\nwant \"%s\"", steps[s], text,
		    whole);
		g_free(text);
	}
	/* never a tag from the markup, never a dropped element's text */
	ck_assert_ptr_null(strstr(whole, "<b>no"));
	ck_assert_ptr_null(strstr(whole, "<p"));
	ck_assert_ptr_null(strstr(whole, "<table"));
	ck_assert_ptr_null(strstr(whole, "alert"));
	ck_assert_ptr_null(strstr(whole, "Title"));
	ck_assert_ptr_null(strstr(whole, "nos"));
	ck_assert_ptr_null(strstr(whole, "t/x.gif"));
	ck_assert(g_utf8_validate(whole, -1, NULL));
	g_free(whole);
}
END_TEST

/* The first document, rendered whole, in full. */
START_TEST(complex_document_text)
{
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 100, 1 << 20, FALSE };
	enum mugai_err err;
	char *text = render(docs[0], strlen(docs[0]), &opts, 0, &err);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text,
	    "Text directly in body.\n\nHeading & more\n\n"
	    "Para with bold and a link <https://example.jp/p?q=1>. "
	    "Second line  here.\n\n- one\n- two\n  - sub a\n  - sub b\n"
	    "- three\n\n3. x\n4. y\n\na | b\nc | d\n\n  code 1\n    code 2\n\n"
	    "end\n\n> q\n>\n> para\n\n[image: logo] click http://x.jp/ line\n"
	    "break\n\nafter\nunclosed span font\nfooter\n");
	g_free(text);
}
END_TEST

START_TEST(japanese_document_text)
{
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 100, 1 << 20, FALSE };
	enum mugai_err err;
	char *text = render(docs[1], strlen(docs[1]), &opts, 1, &err);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text,
	    "\xe5\xb8\x82\xe6\xb0\x91\xe3\x81\xae\xe7\x9a\x86\xe3\x81\x95\xe3"
	    "\x81\xbe\xe3\x81\xb8\n\n\xe3\x81\x8a\xe7\x9f\xa5\xe3\x82\x89\xe3"
	    "\x81\x9b\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82\n\xe8\xa9\xb3\xe3\x81"
	    "\x97\xe3\x81\x8f\xe3\x81\xaf\xe3\x81\x93\xe3\x81\xa1\xe3\x82\x89 "
	    "<https://www.city.example.lg.jp/\xe3\x81\x8a\xe7\x9f\xa5\xe3"
	    "\x82\x89\xe3\x81\x9b>\xe3\x80\x82\n\n\xe6\x97\xa5\xe6\x99\x82 | 4\xe6\x9c\x88"
	    "1\xe6\x97\xa5\n\n1. \xe4\xb8\x80\n2. \xe4\xba\x8c\n\n\xe3\x80\x80"
	    "\xe5\x85\xa8\xe8\xa7\x92\n");
	g_free(text);
}
END_TEST

/* n nested divs: with the html and body libxml2 implies, depth n + 2. */
static char *
nested(guint n)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < n; i++)
		g_string_append(s, "<div>");
	g_string_append(s, "deep");
	for (guint i = 0; i < n; i++)
		g_string_append(s, "</div>");
	return g_string_free(s, FALSE);
}

START_TEST(depth_limit)
{
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 50, 1 << 20, FALSE };
	char *under = nested(48), *over = nested(49), *text;
	enum mugai_err err = MUGAI_E_IO;

	text = render(under, strlen(under), &opts, 0, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_str_eq(text, "deep\n");
	g_free(text);
	text = render(over, strlen(over), &opts, 0, &err);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(err, MUGAI_E_LIMIT);
	text = render(over, strlen(over), &opts, 1, &err);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(err, MUGAI_E_LIMIT);
	g_free(under);
	g_free(over);
}
END_TEST

START_TEST(output_limit)
{
	char html[200];
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 50, 101, FALSE };
	enum mugai_err err = MUGAI_E_IO;
	char *text;

	memset(html, 'a', 100);
	html[100] = '\0';
	/* 100 letters and the final newline: 101 bytes fit exactly */
	text = render(html, 100, &opts, 0, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_uint_eq(strlen(text), 101);
	g_free(text);
	opts.ho_max_output = 100;
	text = render(html, 100, &opts, 7, &err);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(err, MUGAI_E_LIMIT);
}
END_TEST

START_TEST(limit_stops_feeding_early)
{
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 50, 1000, FALSE };
	struct mugai_html2text *h = mugai_html2text_new(&opts);
	const char *chunk = "<p>some text that repeats</p>";
	enum mugai_err err = MUGAI_OK;
	gsize len = 0;
	guint i;

	for (i = 0; i < 100000 && err == MUGAI_OK; i++)
		err = mugai_html2text_feed(h, chunk, strlen(chunk));
	ck_assert_int_eq(err, MUGAI_E_LIMIT);
	/* libxml2 gets pieces of 64 KiB: the limit is seen in the first */
	ck_assert_uint_lt(i, 65536 / strlen(chunk) + 2);
	ck_assert_int_eq(mugai_html2text_feed(h, chunk, strlen(chunk)),
	    MUGAI_E_LIMIT);
	err = MUGAI_OK;
	ck_assert_ptr_null(mugai_html2text_finish(h, &len, &err));
	ck_assert_int_eq(err, MUGAI_E_LIMIT);
	ck_assert_uint_eq(len, 0);
	mugai_html2text_free(h);
	mugai_html2text_free(NULL);
}
END_TEST

/* A document of about n bytes (nested markup, tables, links, a script
 * hiding its end tag): the CPU ns of rendering it. */
static gint64
large_document_run(void *ctx, gsize n)
{
	GString *s = g_string_new(NULL);
	struct mugai_html_opts opts = { MUGAI_URL_DEFANG, 100, 64 << 20,
	    FALSE };
	enum mugai_err err;
	gint64 t0, ns;
	char *text;

	(void)ctx;
	while (s->len < n)
		g_string_append(s, "<div><p>text <b>bold</b> <a href=\"https://"
		    "e.jp/x\">link</a></p><table><tr><td>a</td><td>b</td></tr>"
		    "</table><script>x=\"</scr\"+\"ipt>\"</script></div>\n");
	t0 = t_cpu_ns();
	text = render(s->str, s->len, &opts, 0, &err);
	ns = t_cpu_ns() - t0;
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_null(strstr(text, "x=\""));
	g_free(text);
	g_string_free(s, TRUE);
	return ns;
}

/*
 * A large document renders in linear time (no rescanning of the tree or
 * of the text built so far): 16x the size costs under 96x the CPU time
 * (quadratic: about 256x). A ratio, not seconds, so it holds on a loaded
 * machine and under valgrind or sanitizers.
 */
START_TEST(large_document_is_fast)
{
	gsize small = t_slow() ? 32u << 10 : 256u << 10;
	double g = t_growth(large_document_run, NULL, small);

	fprintf(stderr, "html2text: %.1fx CPU for 16x input\n", g);
	ck_assert_msg(g < T_GROWTH_MAX, "%.1fx the CPU time for 16x the "
	    "input", g);
}
END_TEST

START_TEST(utf8_split_and_invalid_at_chunk_edges)
{
	/* a 3-byte character fed byte by byte, then an invalid byte, then a
	 * truncated sequence at the very end */
	const char html[] = "<p>\xe6\x97\xa5\xe6\x9c\xac\xff</p>z\xe3\x81";
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 50, 1 << 20, FALSE };
	enum mugai_err err;

	for (gsize step = 0; step < 4; step++) {
		char *text = render(html, sizeof(html) - 1, &opts, step, &err);

		ck_assert_ptr_nonnull(text);
		/* each byte of the cut sequence is one U+FFFD */
		ck_assert_str_eq(text, "\xe6\x97\xa5\xe6\x9c\xac"
		    "\xef\xbf\xbd\n\nz\xef\xbf\xbd\xef\xbf\xbd\n");
		g_free(text);
	}
}
END_TEST

START_TEST(nul_bytes_do_not_cut_text)
{
	const char html[] = "<p>a\0b</p>c";
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 50, 1 << 20, FALSE };
	enum mugai_err err;
	char *text = render(html, sizeof(html) - 1, &opts, 0, &err);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "a\xef\xbf\xbd" "b\n\nc\n");
	g_free(text);
}
END_TEST

START_TEST(long_url_is_cut)
{
	GString *s = g_string_new("x <a href=\"https://t.example/r?u=");
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 50, 1 << 20, FALSE };
	enum mugai_err err;
	char *text, *lt, *gt;

	for (int i = 0; i < 500; i++)
		g_string_append_c(s, 'a' + i % 26);
	g_string_append(s, "\">text</a> y");
	text = render(s->str, s->len, &opts, 0, &err);
	ck_assert_ptr_nonnull(text);
	lt = strchr(text, '<');
	gt = strchr(text, '>');
	ck_assert_ptr_nonnull(lt);
	ck_assert_ptr_nonnull(gt);
	ck_assert_int_eq(gt - lt - 1, 300);
	ck_assert(g_str_has_prefix(text, "x text <https://t.example/r?u=abc"));
	ck_assert(g_str_has_suffix(text, "...> y\n"));
	g_free(text);
	g_string_free(s, TRUE);
}
END_TEST

START_TEST(null_opts_mean_keep_and_no_limits)
{
	enum mugai_err err = MUGAI_E_IO;
	const char *html = "<a href=\"http://a.jp/\">a</a>";
	char *text = mugai_html2text(html, strlen(html), NULL, NULL, &err);

	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_str_eq(text, "a <http://a.jp/>\n");
	g_free(text);
}
END_TEST

static gpointer
render_thread(gpointer data)
{
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 100, 1 << 20, FALSE };
	enum mugai_err err;
	char *first = NULL;

	for (int i = 0; i < 50; i++) {
		char *text = render(docs[0], strlen(docs[0]), &opts, 13, &err);

		if (first == NULL)
			first = text;
		else {
			if (strcmp(first, text) != 0) {
				g_free(text);
				g_free(first);
				return NULL;
			}
			g_free(text);
		}
	}
	return first;
}

START_TEST(threads_render_alike)
{
	GThread *t[4];
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 100, 1 << 20, FALSE };
	enum mugai_err err;
	char *want = render(docs[0], strlen(docs[0]), &opts, 0, &err);

	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("h2t", render_thread, NULL);
	for (int i = 0; i < 4; i++) {
		char *got = g_thread_join(t[i]);

		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
		g_free(got);
	}
	g_free(want);
}
END_TEST

/*
 * The fuzz finding t/data/regress/html2text/chunk-split.bin, rebuilt:
 * markup libxml2's push parser read differently by where its chunks
 * ended ("<tabb</b><script>", '<' before a non-ASCII letter, a stray
 * '>'), many paragraphs, over 64 KiB so the input spans pieces, and at
 * the end the minimized finding: " ><script></></p>=".
 */
static char *
chunk_split_html(void)
{
	GString *s = g_string_new("<p>a<b>t>x</qcript><a href=\"javascript:1"
	    "\">l</a><ul><li>1<li>2<\xd1\x8a\x93\xc0<tabb</b><script>xa, the "
	    "Science</script><head></head><body>");

	for (guint i = 0; s->len < 150000; i++)
		g_string_append_printf(s, "<p><strong><u>Conference %u</u>"
		    "</strong> (25-29 June) &amp; more <a href=\"http://example"
		    ".jp/%u?a=1&amp;b=2\">Read =0A more</a></font></p>\n<p>a"
		    "<\xd1\x8a> <script>x</script> %u</p>\n", i, i, i);
	g_string_append(s, "</body></html>trailer one ><script></></p>=");
	return g_string_free(s, FALSE);
}

/* Same text at every chunk size: html2text.h promises it. */
START_TEST(chunk_size_never_changes_the_text)
{
	static const gsize steps[] = { 1, 2, 3, 5, 7, 13, 31, 64, 1000, 4096,
	    65535, 65536, 65537, 100000 };
	struct mugai_html_opts opts = { MUGAI_URL_KEEP, 256, 1 << 24, FALSE };
	g_autofree char *gen = chunk_split_html();
	g_autofree char *path = t_srcpath(
	    "t/data/regress/html2text/chunk-split.bin");
	g_autofree char *found = NULL;
	gsize found_len = 0;
	const char *inputs[2];
	gsize lens[2];

	ck_assert(g_file_get_contents(path, &found, &found_len, NULL));
	/* the first byte is the harness's chunk size */
	inputs[0] = found + 1;
	lens[0] = found_len - 1;
	inputs[1] = gen;
	lens[1] = strlen(gen);
	for (guint k = 0; k < G_N_ELEMENTS(inputs); k++) {
		enum mugai_err err;
		g_autofree char *whole = render(inputs[k], lens[k], &opts, 0,
		    &err);

		ck_assert_int_eq(err, MUGAI_OK);
		/* The finding never closes its <script>: a browser shows
		 * nothing after it, and neither do we, in any chunks. */
		if (k == 0)
			ck_assert_ptr_null(strstr(whole, "Tell a colleague"));
		else
			ck_assert_ptr_nonnull(strstr(whole, "Conference 1 "
			    "(25-29 June)"));
		for (gsize i = 0; i < G_N_ELEMENTS(steps); i++) {
			g_autofree char *t = render(inputs[k], lens[k], &opts,
			    steps[i], &err);

			ck_assert_int_eq(err, MUGAI_OK);
			ck_assert_msg(strcmp(whole, t) == 0, "input %u: chunks "
			    "of %zu change the text", k, steps[i]);
		}
	}
}
END_TEST

/*
 * Input the caller vouches for as valid UTF-8 (ho_valid_utf8) renders as
 * checked input does, in any chunks: characters cut by a feed's end wait
 * for the next, and a NUL is still replaced.
 */
START_TEST(valid_utf8_input_renders_alike)
{
	static const gsize steps[] = { 0, 1, 2, 3, 5, 7, 65535, 65536,
	    65537 };
	struct mugai_html_opts checked = { MUGAI_URL_KEEP, 256, 1 << 24,
	    FALSE };
	struct mugai_html_opts vouched = checked;
	g_autofree char *raw = chunk_split_html();
	/* made valid: what mugai_charset_to_utf8() hands on */
	g_autofree char *gen = g_utf8_make_valid(raw, -1);
	GString *ja = g_string_new("<html><body>");
	const char *inputs[3];
	gsize lens[3];

	vouched.ho_valid_utf8 = TRUE;
	while (ja->len < 150000)
		g_string_append(ja, "<p>日本語のテキストです。<b>太字</b>"
		    "と𠮷野家 &amp; café</p>\n<table><tr><td>表</td>"
		    "<td>セル</td></tr></table>\n");
	g_string_append(ja, "</body></html>");
	inputs[0] = gen;
	lens[0] = strlen(gen);
	inputs[1] = ja->str;
	lens[1] = ja->len;
	/* a NUL inside: replaced in both */
	inputs[2] = "<p>a\0b</p>";
	lens[2] = 10;
	for (guint k = 0; k < G_N_ELEMENTS(inputs); k++) {
		enum mugai_err err;
		g_autofree char *want = render(inputs[k], lens[k], &checked, 0,
		    &err);

		ck_assert_int_eq(err, MUGAI_OK);
		for (gsize i = 0; i < G_N_ELEMENTS(steps); i++) {
			g_autofree char *t = render(inputs[k], lens[k],
			    &vouched, steps[i], &err);

			ck_assert_int_eq(err, MUGAI_OK);
			ck_assert_msg(strcmp(want, t) == 0, "input %u: chunks "
			    "of %zu render otherwise", k, steps[i]);
		}
	}
	g_string_free(ja, TRUE);
}
END_TEST

/*
 * HTML messages the tree generates (the benchmark mix's html-alt and
 * html-small, t/gen/) and, when given, the extra corpus's chatmail-core
 * messages: no crash, valid UTF-8, no tags.
 */
static guint
html_dir(const char *sub)
{
	GDir *d = g_dir_open(sub, 0, NULL);
	const char *name;
	guint seen = 0;

	if (d == NULL)
		return 0;
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(sub, name, NULL);
		struct mugai_html_opts opts = { MUGAI_URL_KEEP, 256,
		    1 << 24, FALSE };
		enum mugai_err err;
		char *body, *text;
		gsize len;

		if (!g_file_get_contents(path, &body, &len, NULL))
			continue;
		if (strstr(body, "<html") == NULL &&
		    strstr(body, "<HTML") == NULL) {
			g_free(body);
			continue;
		}
		/* whole messages: headers and MIME lines are text, which is
		 * enough to exercise the parser on real markup */
		text = render(body, len, &opts, 0, &err);
		ck_assert_msg(text != NULL, "%s: error %d", name, err);
		ck_assert(g_utf8_validate(text, -1, NULL));
		ck_assert_msg(strstr(text, "<div") == NULL &&
		    strstr(text, "<script") == NULL &&
		    strstr(text, "<style") == NULL, "%s: markup in text", name);
		seen++;
		g_free(text);
		g_free(body);
	}
	g_dir_close(d);
	return seen;
}

START_TEST(corpus_html_parts)
{
	static const char *const gen[] = { "bench/html-alt",
	    "bench/html-small", "bench-crlf/html-alt" };
	guint seen = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(gen); i++) {
		g_autofree char *dir = t_gen_dir(gen[i]);

		seen += html_dir(dir);
	}
	ck_assert_uint_gt(seen, 3);	/* the QP-encoded ones: five */
	if (t_extra_corpus_dir() != NULL) {
		g_autofree char *sub = g_build_filename(t_extra_corpus_dir(),
		    "chatmail-core", NULL);

		html_dir(sub);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("html2text");

	t_timeout = 120;
	t_test(s, nbsp_and_c2_in_japanese_runs);
	t_loop_test(s, renders_case, 0, G_N_ELEMENTS(cases));
	t_loop_test(s, chunked_equals_whole, 0, G_N_ELEMENTS(docs));
	t_test(s, complex_document_text);
	t_test(s, japanese_document_text);
	t_test(s, depth_limit);
	t_test(s, output_limit);
	t_test(s, limit_stops_feeding_early);
	t_test(s, large_document_is_fast);
	t_test(s, utf8_split_and_invalid_at_chunk_edges);
	t_test(s, nul_bytes_do_not_cut_text);
	t_test(s, long_url_is_cut);
	t_test(s, null_opts_mean_keep_and_no_limits);
	t_test(s, threads_render_alike);
	t_test(s, corpus_html_parts);
	t_test(s, chunk_size_never_changes_the_text);
	t_test(s, valid_utf8_input_renders_alike);
	return t_run(s);
}
