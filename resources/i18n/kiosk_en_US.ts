<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
<context>
    <name>AttractScreen</name>
    <message>
        <source>我要入会</source>
        <translation>Join the union</translation>
    </message>
    <message>
        <source>有奖答题</source>
        <translation>Prize quiz</translation>
    </message>
    <message>
        <source>今日服务</source>
        <translation>Today&apos;s services</translation>
    </message>
    <message>
        <source>用手机扫码，也可以入会</source>
        <translation>Or scan with your phone to join</translation>
    </message>
    <message>
        <source>English</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>大字模式</source>
        <translation>Large text</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>演示模式 · 数据仅保存在本机，不会上报</source>
        <translation>Demo mode · data stays on this device and is not reported</translation>
    </message>
    <message>
        <source>职工沟通会 · 工会服务台</source>
        <translation>Worker Communication Meeting · Union booth</translation>
    </message>
</context>
<context>
    <name>ServicesScreen</name>
    <message>
        <source>今日服务</source>
        <translation>Today&apos;s services</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
</context>
<context>
    <name>StillThereOverlay</name>
    <message>
        <source>还在吗？</source>
        <translation>Are you still there?</translation>
    </message>
    <message>
        <source>我还在，继续</source>
        <translation>I&apos;m here, continue</translation>
    </message>
    <message numerus="yes">
        <source>%n 秒后将清除您填写的内容并返回首页</source>
        <translation>
            <numerusform>In %n second, what you entered will be cleared and the kiosk returns to the start</numerusform>
            <numerusform>In %n seconds, what you entered will be cleared and the kiosk returns to the start</numerusform>
        </translation>
    </message>
</context>
</TS>
