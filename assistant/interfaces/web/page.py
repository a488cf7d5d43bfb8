"""What the Gradio pages say in Gradio's own words, in Chinese: labels of its buttons, its toasts.

Gradio picks its interface language from the browser; a portal for Chinese owners and agents speaks
Chinese whatever the browser's setting, so its own words are given in Chinese for an English browser
too (`PAGE_WORDS`), and the few it hard-codes in English ("Scroll down", "Connection errored out")
are relabelled in the page (`PAGE_JS`). A toast that is still English after that is replaced by the
connection message: a person is never left with an English error.
"""
from __future__ import annotations

import json

import gradio as gr

CONNECTION_LOST = "连接中断，问题没有发出。请检查网络后再点“提问”，您输入的内容还在输入框里。"

# Gradio's message keys → what they say here (its zh-CN wording where it has one)
PAGE_WORDS = {
    "chatbot.copy_message": "复制这条消息",
    "chatbot.copied_message": "已复制",
    "chatbot.like": "有帮助",
    "chatbot.dislike": "没帮助",
    "chatbot.clear": "清空对话",
    "chatbot.retry": "重试",
    "chatbot.undo": "撤销",
    "chatbot.edit": "编辑",
    "chatbot.submit": "提交",
    "chatbot.cancel": "取消",
    "common.error": "出错了",
    "common.clear": "清空",
    "common.copy": "复制",
    "common.empty": "无",
    "common.loading": "加载中",
    "errors.connection_can_break": "在手机上，切换到其他应用或锁屏可能使连接中断。",
    "errors.lost_connection": "连接中断，正在重新连接…",
}
PAGE_I18N = gr.I18n(en=PAGE_WORDS, zh=PAGE_WORDS, **{"en-US": PAGE_WORDS, "zh-CN": PAGE_WORDS})

# English that Gradio writes into the page itself (attributes and toasts), and what a person reads instead
_RELABEL = {"Scroll down": "滚动到最新消息", "Copy message": "复制这条消息", "Textbox": "输入框",
            "Dropdown": "下拉选择", "Clear": "清空对话", "Like": "有帮助", "Dislike": "没帮助", "Error": "出错了",
            "Liked": "已点有帮助", "Disliked": "已点没帮助", "Close": "关闭", "More tabs": "更多标签页", "chatbot conversation": "对话记录"}
PAGE_JS = """() => {
  const RELABEL = %s, LOST = %s;
  const english = (text) => /[A-Za-z]{3}/.test(text) && !/[\\u4e00-\\u9fff]/.test(text);
  const fix = () => {
    document.querySelectorAll('[aria-label], [title]').forEach((node) => {
      for (const name of ['aria-label', 'title']) {
        const value = node.getAttribute(name);
        if (value && RELABEL[value]) node.setAttribute(name, RELABEL[value]);
        else if (value && value.startsWith("bot's message")) node.setAttribute(name, '政策通的回答');
        else if (value && value.startsWith("user's message: ")) node.setAttribute(name, '您的问题：' + value.slice(16));
      }
    });
    document.querySelectorAll('.toast-title, .toast-message-text, .toast-text').forEach((node) => {
      const text = node.textContent.trim();
      if (RELABEL[text]) node.textContent = RELABEL[text];
      else if (english(text) && !node.querySelector('*')) node.textContent = LOST;
    });
  };
  new MutationObserver(fix).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                    attributeFilter: ['aria-label', 'title']});
  fix();
}""" % (json.dumps(_RELABEL, ensure_ascii=False), json.dumps(CONNECTION_LOST, ensure_ascii=False))
