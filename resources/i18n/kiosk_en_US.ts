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
    <name>QuizScreen</name>
    <message>
        <source>第 %1 / %2 题</source>
        <translation>Question %1 of %2</translation>
    </message>
    <message>
        <source>今日奖品已发完，欢迎继续答题学习</source>
        <translation>Today&apos;s prizes are gone — you are welcome to play and learn</translation>
    </message>
    <message>
        <source>单选题</source>
        <translation>Single choice</translation>
    </message>
    <message>
        <source>多选题（选出全部正确答案）</source>
        <translation>Multiple choice (choose every correct answer)</translation>
    </message>
    <message>
        <source>判断题</source>
        <translation>True or false</translation>
    </message>
    <message>
        <source>回答正确！</source>
        <translation>Correct!</translation>
    </message>
    <message>
        <source>回答错误</source>
        <translation>Not quite</translation>
    </message>
    <message>
        <source>依据：%1</source>
        <translation>Source: %1</translation>
    </message>
    <message>
        <source>查看结果</source>
        <translation>See the result</translation>
    </message>
    <message>
        <source>下一题</source>
        <translation>Next question</translation>
    </message>
    <message>
        <source>恭喜通过！</source>
        <translation>Well done, you passed!</translation>
    </message>
    <message>
        <source>差一点就通过了</source>
        <translation>Almost there</translation>
    </message>
    <message>
        <source>答对 %1 / %2 题（%3 题及格）</source>
        <translation>%1 of %2 correct (%3 needed to pass)</translation>
    </message>
    <message>
        <source>再试一次吧，每轮题目都不同</source>
        <translation>Try again — every round has different questions</translation>
    </message>
    <message>
        <source>奖品已发完，感谢参与！</source>
        <translation>The prizes are all gone. Thank you for taking part!</translation>
    </message>
    <message>
        <source>请用手机号或会员码领取奖品（每人限领一份）</source>
        <translation>Claim your prize with your mobile number or member pass (one per person)</translation>
    </message>
    <message>
        <source>输入手机号领奖</source>
        <translation>Claim with mobile number</translation>
    </message>
    <message>
        <source>扫描会员码领奖</source>
        <translation>Claim with member pass</translation>
    </message>
    <message>
        <source>再答一次</source>
        <translation>Play again</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
    <message>
        <source>手机号只用于核对每人限领一份，不会保存号码本身</source>
        <translation>Your number is only used to check one prize per person; the number itself is not stored</translation>
    </message>
    <message>
        <source>请将会员码对准扫描器</source>
        <translation>Hold your member pass up to the scanner</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>领取奖品</source>
        <translation>Claim prize</translation>
    </message>
    <message>
        <source>领奖成功</source>
        <translation>Prize claimed</translation>
    </message>
    <message>
        <source>请拍下或出示此二维码，到发放台领取%1</source>
        <translation>Take a photo of this code or show it at the handout desk to collect your %1</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>退出答题</source>
        <translation>Leave the quiz</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>Confirm</translation>
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
